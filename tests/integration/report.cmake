# Reading a job: status --json, the live summary.json, report.html (issue 13).
lattigo_script_test(status_json ${CMAKE_CURRENT_SOURCE_DIR}/integration/status_json.sh TIMEOUT 90)

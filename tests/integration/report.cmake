# Reading a job: status --json, the live summary.json, report.html (issue 13).
lattigo_script_test(status_json ${CMAKE_CURRENT_SOURCE_DIR}/integration/status_json.sh TIMEOUT 90)
lattigo_script_test(report_html ${CMAKE_CURRENT_SOURCE_DIR}/integration/report_html.sh TIMEOUT 180)
# Exit 77: no headless browser and LATTIGO_SKIP_BROWSER=1 said that is expected.
set_tests_properties(report_html PROPERTIES SKIP_RETURN_CODE 77)
# Man pages and completion against the programs' own --help (issue 13).
lattigo_script_test(install_docs ${CMAKE_CURRENT_SOURCE_DIR}/integration/install_docs.sh TIMEOUT 120)
# A Release build of the tree, cmake --install and cpack -G DEB (a few minutes on 2 cores).
lattigo_script_test(install_package ${CMAKE_CURRENT_SOURCE_DIR}/integration/install_package.sh TIMEOUT 900)
# Its Release build takes both cores for a minute: keep timing-sensitive tests away from it.
set_tests_properties(install_package PROPERTIES RUN_SERIAL TRUE)
# README, docs/usage.md and lattigo-batch(1) against --help and enum exit_code (issue 17).
lattigo_script_test(docs_drift ${CMAKE_CURRENT_SOURCE_DIR}/integration/docs_drift.sh TIMEOUT 60)

# The job directory as users inspect it: status, audit verify/show, refusals (issue 5).
lattigo_script_test(audit_status ${CMAKE_CURRENT_SOURCE_DIR}/integration/audit_status.sh TIMEOUT 60)

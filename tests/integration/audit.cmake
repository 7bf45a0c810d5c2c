# The job directory as users inspect it: status, audit verify/show, refusals (issue 5).
lattigo_script_test(audit_status ${CMAKE_CURRENT_SOURCE_DIR}/integration/audit_status.sh TIMEOUT 60)
# `audit show OUTDIR --row N`: the row's own request element and response entry (issue 17 §5).
lattigo_script_test(audit_row ${CMAKE_CURRENT_SOURCE_DIR}/integration/audit_row.sh TIMEOUT 60)

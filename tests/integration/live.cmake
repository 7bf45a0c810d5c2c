# The account's live state (issue 10): plan against lattigo-sim and the independent mock.
lattigo_script_test(live_plan ${CMAKE_CURRENT_SOURCE_DIR}/integration/live_plan.sh TIMEOUT 120)
# run with its preflight: only changed rows sent, unchanged, undo.csv, ICCID rows, resume keeps the first snapshot (issue 10).
lattigo_script_test(preflight_run ${CMAKE_CURRENT_SOURCE_DIR}/integration/preflight_run.sh TIMEOUT 240)

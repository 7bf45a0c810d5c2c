# verify: reading back what a job changed (issue 10), against lattigo-sim and the independent mock; beyond the memory budget (issue 14); later rounds walk only the pending rows.
lattigo_script_test(verify_sim ${CMAKE_CURRENT_SOURCE_DIR}/integration/verify_sim.sh TIMEOUT 180)
lattigo_script_test(verify_mock ${CMAKE_CURRENT_SOURCE_DIR}/integration/verify_mock.sh TIMEOUT 180)
lattigo_script_test(verify_spool ${CMAKE_CURRENT_SOURCE_DIR}/integration/verify_spool.sh TIMEOUT 240)
lattigo_script_test(verify_rounds ${CMAKE_CURRENT_SOURCE_DIR}/integration/verify_rounds.sh TIMEOUT 180)

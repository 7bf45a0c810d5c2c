# verify: reading back what a job changed (issue 10), against lattigo-sim and the independent mock.
lattigo_script_test(verify_sim ${CMAKE_CURRENT_SOURCE_DIR}/integration/verify_sim.sh TIMEOUT 180)
lattigo_script_test(verify_mock ${CMAKE_CURRENT_SOURCE_DIR}/integration/verify_mock.sh TIMEOUT 180)

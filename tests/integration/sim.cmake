# lattigo-sim integration tests: every endpoint, faults, state, hostile input.
lattigo_script_test(sim_endpoints ${CMAKE_CURRENT_SOURCE_DIR}/integration/sim_endpoints.sh TIMEOUT 120)
lattigo_script_test(sim_faults ${CMAKE_CURRENT_SOURCE_DIR}/integration/sim_faults.sh TIMEOUT 120)
lattigo_script_test(sim_state ${CMAKE_CURRENT_SOURCE_DIR}/integration/sim_state.sh TIMEOUT 120)
lattigo_script_test(sim_garbage ${CMAKE_CURRENT_SOURCE_DIR}/integration/sim_garbage.sh TIMEOUT 120)
lattigo_script_test(sim_cli ${CMAKE_CURRENT_SOURCE_DIR}/integration/sim_cli.sh TIMEOUT 60)
lattigo_script_test(sim_examples ${CMAKE_CURRENT_SOURCE_DIR}/integration/sim_examples.sh TIMEOUT 60)
lattigo_script_test(sim_activation_delay ${CMAKE_CURRENT_SOURCE_DIR}/integration/sim_activation_delay.sh TIMEOUT 60)

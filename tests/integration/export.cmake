# `export`: against the independent mock (its own paging, faults, kills) and against lattigo-sim.
lattigo_script_test(export_mock ${CMAKE_CURRENT_SOURCE_DIR}/integration/export_mock.sh TIMEOUT 240)
lattigo_script_test(export_sim ${CMAKE_CURRENT_SOURCE_DIR}/integration/export_sim.sh TIMEOUT 240)

# Unit tests of the job directory's outputs and the run-time plumbing of `run`
# (credentials, progress, signals, the --endpoint sim launcher).
lattigo_unit_test(test_outputs_store
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_outputs_store.c ${CMAKE_SOURCE_DIR}/src/outputs/outcome_store.c
  LINK lattigo_common PkgConfig::ZLIB)
lattigo_unit_test(test_credentials
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_credentials.c ${CMAKE_SOURCE_DIR}/src/cli/credentials.c
  LINK lattigo_common)
lattigo_unit_test(test_signals
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_signals.c ${CMAKE_SOURCE_DIR}/src/cli/signals.c
  LINK lattigo_common)
lattigo_unit_test(test_sim_launcher
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_sim_launcher.c ${CMAKE_SOURCE_DIR}/src/cli/sim_launcher.c
    ${CMAKE_SOURCE_DIR}/src/cli/signals.c ${CMAKE_SOURCE_DIR}/src/cli/credentials.c
  LINK lattigo_common PkgConfig::CURL)
# One case drives the real lattigo-sim built alongside.
target_compile_definitions(test_sim_launcher PRIVATE REAL_SIM_PROGRAM="${CMAKE_BINARY_DIR}/lattigo-sim")
if(TARGET lattigo-sim)
  add_dependencies(test_sim_launcher lattigo-sim)
endif()
lattigo_unit_test(test_progress
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_progress.c ${CMAKE_SOURCE_DIR}/src/cli/progress.c
          ${CMAKE_SOURCE_DIR}/src/cli/export_progress.c
  LINK lattigo_outputs lattigo_ops lattigo_common)
lattigo_unit_test(test_outputs_files
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_outputs_files.c
  LINK lattigo_outputs lattigo_manifest lattigo_ops lattigo_common)
lattigo_unit_test(test_undo_writer
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_undo_writer.c
  LINK lattigo_outputs lattigo_manifest lattigo_ops lattigo_common)

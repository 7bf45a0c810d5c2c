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
  LINK lattigo_common)
lattigo_unit_test(test_progress
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_progress.c ${CMAKE_SOURCE_DIR}/src/cli/progress.c
  LINK lattigo_outputs lattigo_ops lattigo_common)

lattigo_unit_test(test_common SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_common.c LINK lattigo_common)
lattigo_unit_test(test_parse_options
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_parse_options.c ${CMAKE_SOURCE_DIR}/src/cli/options.c
          ${CMAKE_SOURCE_DIR}/src/cli/jobfile.c ${CMAKE_SOURCE_DIR}/src/cli/job_steps.c
  LINK lattigo_sim_core lattigo_common PkgConfig::JANSSON)

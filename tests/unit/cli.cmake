# Unit tests of the command line: option model, job files, dry-run plans.
# They compile the few cli sources they test instead of linking lattigo_cli,
# so that they build and run without the engine and outputs libraries.
set(cli_dir ${CMAKE_SOURCE_DIR}/src/cli)
lattigo_unit_test(test_cli_options
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_cli_options.c ${cli_dir}/options.c
          ${cli_dir}/jobfile.c ${cli_dir}/job_steps.c
  LINK lattigo_ops lattigo_common PkgConfig::JANSSON)
lattigo_unit_test(test_cli_plan
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_cli_plan.c ${cli_dir}/plan.c
  LINK lattigo_engine lattigo_ops lattigo_common)
lattigo_unit_test(test_cli_pipeline
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_cli_pipeline.c ${CMAKE_SOURCE_DIR}/src/pipeline/pipeline.c
          ${cli_dir}/options.c ${cli_dir}/jobfile.c ${cli_dir}/job_steps.c ${cli_dir}/step_config.c
          ${CMAKE_SOURCE_DIR}/src/pipeline/step_rows.c
  LINK lattigo_manifest lattigo_ops lattigo_common PkgConfig::JANSSON)
lattigo_unit_test(test_confirm
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_confirm.c ${cli_dir}/confirm.c
  LINK lattigo_ops lattigo_common)
lattigo_unit_test(test_step_flow
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_step_flow.c ${cli_dir}/step_flow.c
  LINK lattigo_ops lattigo_common)
lattigo_unit_test(test_preflight
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_preflight.c ${cli_dir}/preflight.c ${cli_dir}/signals.c
  LINK lattigo_live lattigo_outputs lattigo_ops lattigo_common)
lattigo_unit_test(test_stdin_copy
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_stdin_copy.c ${cli_dir}/stdin_copy.c
  LINK lattigo_manifest lattigo_common)

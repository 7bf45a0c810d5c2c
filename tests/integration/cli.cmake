# Integration tests of the command line (no simulator needed: validate, ops,
# --help, dry runs and option errors).
lattigo_script_test(cli_validate ${CMAKE_CURRENT_SOURCE_DIR}/integration/cli_validate.sh TIMEOUT 60)
lattigo_script_test(cli_usage ${CMAKE_CURRENT_SOURCE_DIR}/integration/cli_usage.sh TIMEOUT 60)
lattigo_script_test(cli_cases ${CMAKE_CURRENT_SOURCE_DIR}/integration/cli_cases.sh TIMEOUT 120)
lattigo_script_test(cli_steps ${CMAKE_CURRENT_SOURCE_DIR}/integration/cli_steps.sh TIMEOUT 60)

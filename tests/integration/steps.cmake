# Jobs with "steps" run for real: against lattigo-sim with delayed activations
# and against the independent mock (delayed, refused, renamed activations).
lattigo_script_test(steps_run ${CMAKE_CURRENT_SOURCE_DIR}/integration/steps_run.sh TIMEOUT 180)
lattigo_script_test(steps_resume ${CMAKE_CURRENT_SOURCE_DIR}/integration/steps_resume.sh TIMEOUT 240)
lattigo_script_test(steps_outputs ${CMAKE_CURRENT_SOURCE_DIR}/integration/steps_outputs.sh TIMEOUT 180)
lattigo_script_test(steps_views ${CMAKE_CURRENT_SOURCE_DIR}/integration/steps_views.sh TIMEOUT 180)
lattigo_script_test(steps_stdin ${CMAKE_CURRENT_SOURCE_DIR}/integration/steps_stdin.sh TIMEOUT 180)

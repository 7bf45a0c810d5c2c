# The account's live state (issue 10): plan against lattigo-sim and the independent mock.
lattigo_script_test(live_plan ${CMAKE_CURRENT_SOURCE_DIR}/integration/live_plan.sh TIMEOUT 120)
# run with its preflight: only changed rows sent, unchanged, undo.csv, ICCID rows, resume keeps the first snapshot (issue 10).
lattigo_script_test(preflight_run ${CMAKE_CURRENT_SOURCE_DIR}/integration/preflight_run.sh TIMEOUT 240)
# issue 10's acceptance list against the independent mock: plan counts, only changed rows written, undo of cost-center / note / simstate, confirmation, verify pending -> verified.
lattigo_script_test(live_acceptance ${CMAKE_CURRENT_SOURCE_DIR}/integration/live_acceptance.sh TIMEOUT 180)
# A resume settles rows from the verdicts the first run kept, and survives cuts during the preflight's persistence (issue 14).
lattigo_script_test(preflight_resume ${CMAKE_CURRENT_SOURCE_DIR}/integration/preflight_resume.sh TIMEOUT 240)
# The same plan and preflight with every account beyond a budget of one device: rows judged by the
# join on disk, activations by the devices their ICCID and IMEI meet (issue 14).
lattigo_script_test(live_plan_spooled ${CMAKE_CURRENT_SOURCE_DIR}/integration/live_plan.sh TIMEOUT 120)
set_property(TEST live_plan_spooled APPEND PROPERTY ENVIRONMENT "LATTIGO_TEST_SNAPSHOT_DEVICES=1")
lattigo_script_test(preflight_run_spooled ${CMAKE_CURRENT_SOURCE_DIR}/integration/preflight_run.sh TIMEOUT 240)
set_property(TEST preflight_run_spooled APPEND PROPERTY ENVIRONMENT "LATTIGO_TEST_SNAPSHOT_DEVICES=1")

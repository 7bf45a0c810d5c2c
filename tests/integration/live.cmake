# The account's live state (issue 10): plan against lattigo-sim and the independent mock.
lattigo_script_test(live_plan ${CMAKE_CURRENT_SOURCE_DIR}/integration/live_plan.sh TIMEOUT 120)

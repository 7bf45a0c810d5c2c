# verify: verdicts, the polling schedule and durations.
lattigo_unit_test(test_verify SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_verify.c LINK lattigo_verify)

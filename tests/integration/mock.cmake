# Tests of lattigo-batch against an independent mock of the API (tests/integration/mock_api.py).
lattigo_script_test(mock_ops ${CMAKE_CURRENT_SOURCE_DIR}/integration/mock_ops.sh TIMEOUT 90)
# mock_faults waits by design (a 429 storm at the mock's rate, Retry-After, stalled
# calls cut by --timeout 1, backoff): about 25 s of its ~35 s alone are waits, and
# 15 jobs each start a mock, a generator and a checker; on a loaded 2-core machine
# that reached 78 s of a 90 s budget.
lattigo_script_test(mock_faults ${CMAKE_CURRENT_SOURCE_DIR}/integration/mock_faults.sh TIMEOUT 180)
foreach(op cost-center activate)
  string(REPLACE "-" "_" name ${op})
  lattigo_script_test(mock_crash_${name} ${CMAKE_CURRENT_SOURCE_DIR}/integration/mock_crash.sh TIMEOUT 90)
  set_property(TEST mock_crash_${name} PROPERTY ENVIRONMENT_MODIFICATION MOCK_CRASH_OP=set:${op})
endforeach()

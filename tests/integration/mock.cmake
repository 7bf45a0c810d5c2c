# Tests of lattigo-batch against an independent mock of the API (tests/integration/mock_api.py).
foreach(case ops faults)
  lattigo_script_test(mock_${case} ${CMAKE_CURRENT_SOURCE_DIR}/integration/mock_${case}.sh TIMEOUT 90)
endforeach()
foreach(op cost-center activate)
  string(REPLACE "-" "_" name ${op})
  lattigo_script_test(mock_crash_${name} ${CMAKE_CURRENT_SOURCE_DIR}/integration/mock_crash.sh TIMEOUT 90)
  set_property(TEST mock_crash_${name} PROPERTY ENVIRONMENT_MODIFICATION MOCK_CRASH_OP=set:${op})
endforeach()

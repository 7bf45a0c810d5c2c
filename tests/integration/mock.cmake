# Tests of lattigo-batch against an independent mock of the API (tests/integration/mock_api.py).
foreach(case ops)
  lattigo_script_test(mock_${case} ${CMAKE_CURRENT_SOURCE_DIR}/integration/mock_${case}.sh TIMEOUT 90)
endforeach()

# Unit tests of the operation table, validators, request builders and response mappers.
foreach(ops_test test_luhn test_validators test_dupe_set test_dupe_set_keys test_op_table test_ops_requests test_response_mappers)
  lattigo_unit_test(${ops_test} SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/${ops_test}.c LINK lattigo_ops)
endforeach()

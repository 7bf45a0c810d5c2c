# Pages of docs/ checked against the tables they describe.
lattigo_unit_test(test_operations_doc
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_operations_doc.c LINK lattigo_ops lattigo_common)

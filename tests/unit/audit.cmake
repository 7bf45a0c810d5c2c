lattigo_unit_test(test_audit SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_audit.c
  LINK lattigo_audit)
lattigo_unit_test(test_audit_row_view SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_audit_row_view.c
  LINK lattigo_audit)

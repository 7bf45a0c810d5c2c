# .xlsx manifests: the reader on workbooks written by libxlsxwriter (another program).
lattigo_unit_test(test_manifest_xlsx
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_manifest_xlsx.c
          ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_manifest_support.c
  LINK lattigo_manifest PkgConfig::XLSXWRITER)

# Manifest readers, column binding and UTF-8 helpers.
lattigo_unit_test(test_utf8 SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_utf8.c LINK lattigo_common)
foreach(suite csv jsonl gzip)
  lattigo_unit_test(test_manifest_${suite}
    SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_manifest_${suite}.c
            ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_manifest_support.c
    LINK lattigo_manifest)
endforeach()
lattigo_unit_test(test_binding
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_binding.c
          ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_manifest_support.c
  LINK lattigo_manifest)
# The fuzz target of the readers is with the others: tests/fuzz/fuzz.cmake.

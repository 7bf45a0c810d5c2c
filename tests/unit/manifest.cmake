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

# Fuzz target for the readers (clang's libFuzzer): cmake -DCMAKE_C_COMPILER=clang
# -DCMAKE_BUILD_TYPE=Sanitize -DLATTIGO_FUZZ=ON, then build fuzz_manifest.
option(LATTIGO_FUZZ "Build the manifest fuzz target (clang only)" OFF)
if(LATTIGO_FUZZ AND CMAKE_C_COMPILER_ID MATCHES "Clang")
  foreach(instrumented lattigo_manifest lattigo_common)
    # clang's -Wformat=2 also flags the va_list forwarding in error.c / strbuf.c
    target_compile_options(${instrumented} PRIVATE -fsanitize=fuzzer-no-link -Wno-format-nonliteral)
  endforeach()
  add_executable(fuzz_manifest ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_manifest.c)
  target_compile_options(fuzz_manifest PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz_manifest PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz_manifest PRIVATE lattigo_manifest)
endif()

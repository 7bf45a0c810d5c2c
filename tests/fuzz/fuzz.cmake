# libFuzzer targets for every parser of outside input (clang only):
#   cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Sanitize \
#     -DLATTIGO_FUZZ=ON && cmake --build build-fuzz --target fuzz
# scripts/fuzz builds them and runs each for a bounded time on its seed corpus
# tests/fuzz/corpus/<target>/ (scripts/test calls it when clang is installed).
option(LATTIGO_FUZZ "Build the libFuzzer targets (clang only)" OFF)
if(NOT LATTIGO_FUZZ)
  return()
endif()
if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "LATTIGO_FUZZ needs clang: -DCMAKE_C_COMPILER=clang")
endif()

# Coverage feedback from the code under test, not only from the targets.
foreach(library lattigo_common lattigo_ops lattigo_manifest lattigo_outputs lattigo_journal
                lattigo_jobdir lattigo_audit lattigo_engine lattigo_export lattigo_cli)
  if(TARGET ${library})
    get_target_property(type ${library} TYPE)
    if(NOT type STREQUAL "INTERFACE_LIBRARY")
      # clang's -Wformat=2 also flags the va_list forwarding in error.c / strbuf.c
      target_compile_options(${library} PRIVATE -fsanitize=fuzzer-no-link -Wno-format-nonliteral)
    endif()
  endif()
endforeach()

add_custom_target(fuzz)
# lattigo_fuzz_target(NAME LINK libs...): tests/fuzz/NAME.c as a libFuzzer program.
function(lattigo_fuzz_target name)
  cmake_parse_arguments(ARG "" "" "LINK" ${ARGN})
  add_executable(${name} ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/${name}.c
                         ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_support.c)
  target_include_directories(${name} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer -Wno-format-nonliteral)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(${name} PRIVATE ${ARG_LINK})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
  add_dependencies(fuzz ${name})
endfunction()

lattigo_fuzz_target(fuzz_manifest LINK lattigo_manifest lattigo_ops)   # CSV and JSONL readers, binding
lattigo_fuzz_target(fuzz_responses LINK lattigo_ops)                   # every operation's response mapper
lattigo_fuzz_target(fuzz_headers LINK lattigo_export lattigo_engine)   # Retry-After, HTTP-date, paging, ISO dates
lattigo_fuzz_target(fuzz_journal LINK lattigo_journal)                 # the checkpoint reader
lattigo_fuzz_target(fuzz_audit LINK lattigo_audit)                     # the audit trail readers
lattigo_fuzz_target(fuzz_jobfile LINK lattigo_cli)                     # job files
lattigo_fuzz_target(fuzz_credentials LINK lattigo_cli)                 # credentials files

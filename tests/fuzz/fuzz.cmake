# libFuzzer targets for every parser of outside input (clang only):
#   cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Sanitize \
#     -DLATTIGO_FUZZ=ON && cmake --build build-fuzz --target fuzz
# scripts/fuzz builds them and runs each for a bounded time on its seed corpus
# tests/fuzz/corpus/<target>/ (scripts/test calls it when clang is installed).
option(LATTIGO_FUZZ "Build the libFuzzer targets (clang only)" OFF)

# Without libFuzzer (the ordinary build), each target is linked with a main
# that replays its corpus once, so every seed and every input that once
# failed runs in the normal test suite too.
set(fuzz_targets
  "fuzz_manifest:lattigo_manifest lattigo_ops"     # CSV and JSONL readers, binding
  "fuzz_xlsx:lattigo_manifest lattigo_ops"         # the .xlsx reader: sheet and shared-strings XML
  "fuzz_responses:lattigo_ops"                     # every operation's response mapper
  "fuzz_headers:lattigo_export lattigo_engine"     # Retry-After, HTTP-date, paging, ISO dates
  "fuzz_device_text:lattigo_live"                  # device answers read as text (against jansson)
  "fuzz_journal:lattigo_journal"                   # the checkpoint reader
  "fuzz_audit:lattigo_audit"                       # the audit trail readers
  "fuzz_jobfile:lattigo_cli"                       # job files
  "fuzz_credentials:lattigo_cli")                  # credentials files
if(NOT LATTIGO_FUZZ)
  foreach(entry ${fuzz_targets})
    string(REPLACE ":" ";" parts "${entry}")
    list(GET parts 0 name)
    list(GET parts 1 libraries)
    separate_arguments(libraries)
    add_executable(${name}_replay ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/${name}.c
                                  ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_support.c
                                  ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/replay_main.c)
    target_include_directories(${name}_replay PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)
    target_link_libraries(${name}_replay PRIVATE ${libraries})
    add_test(NAME ${name}_corpus COMMAND ${name}_replay ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/${name})
    set_tests_properties(${name}_corpus PROPERTIES LABELS unit TIMEOUT 120)
  endforeach()
  return()
endif()
if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "LATTIGO_FUZZ needs clang: -DCMAKE_C_COMPILER=clang")
endif()

# Coverage feedback from the code under test, not only from the targets.
foreach(library lattigo_common lattigo_ops lattigo_manifest lattigo_outputs lattigo_journal
                lattigo_jobdir lattigo_audit lattigo_engine lattigo_export lattigo_live lattigo_cli)
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

foreach(entry ${fuzz_targets})
  string(REPLACE ":" ";" parts "${entry}")
  list(GET parts 0 name)
  list(GET parts 1 libraries)
  separate_arguments(libraries)
  lattigo_fuzz_target(${name} LINK ${libraries})
endforeach()

# Warnings are errors in every flavour. The Sanitize build type is what the
# test command and CI use: AddressSanitizer + UndefinedBehaviorSanitizer.
add_compile_options(-Wall -Wextra -Wpedantic -Werror -Wshadow -Wconversion
  -Wno-sign-conversion -Wstrict-prototypes -Wmissing-prototypes -Wformat=2)
add_compile_definitions(_POSIX_C_SOURCE=200809L _DEFAULT_SOURCE)

set(CMAKE_C_FLAGS_RELEASE "-O2 -DNDEBUG")
set(CMAKE_C_FLAGS_DEBUG "-O0 -g3")
set(CMAKE_C_FLAGS_SANITIZE "-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all")
set(CMAKE_EXE_LINKER_FLAGS_SANITIZE "-fsanitize=address,undefined")
set(CMAKE_SHARED_LINKER_FLAGS_SANITIZE "-fsanitize=address,undefined")

# lattigo_library(NAME [LINK libs...]): a static library of every .c file in
# the calling folder except main.c, so a new file in a concept folder needs no
# CMake edit. An empty folder defines an empty INTERFACE target instead.
function(lattigo_library name)
  cmake_parse_arguments(ARG "" "" "LINK" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.c)
  list(FILTER sources EXCLUDE REGEX "/main\\.c$")
  if(sources)
    add_library(${name} STATIC ${sources})
    target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR}/src)
    target_link_libraries(${name} PUBLIC ${ARG_LINK})
  else()
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${CMAKE_SOURCE_DIR}/src)
    target_link_libraries(${name} INTERFACE ${ARG_LINK})
  endif()
endfunction()

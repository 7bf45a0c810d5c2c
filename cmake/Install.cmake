# `cmake --install build --prefix P` and `cpack -G DEB` (issue 13): the two
# programs, their man pages, bash and zsh completion, README and LICENSE.
include(GNUInstallDirs)

foreach(program lattigo-batch lattigo-sim)
  if(TARGET ${program})
    install(TARGETS ${program} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  endif()
endforeach()
install(FILES ${CMAKE_SOURCE_DIR}/docs/man/lattigo-batch.1 ${CMAKE_SOURCE_DIR}/docs/man/lattigo-sim.1
  DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
# bash-completion loads completions/<command> when <command> is first completed;
# the one file completes both programs.
install(FILES ${CMAKE_SOURCE_DIR}/completion/lattigo-batch.bash
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME lattigo-batch)
install(FILES ${CMAKE_SOURCE_DIR}/completion/lattigo-batch.bash
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME lattigo-sim)
# zsh looks in share/zsh/site-functions under /usr/local but in
# share/zsh/vendor-completions under /usr (Debian's zsh, and so the .deb):
# chosen when installing, since cpack installs with the prefix /usr.
install(CODE "
  if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
    set(lattigo_zsh_dir share/zsh/vendor-completions)
  else()
    set(lattigo_zsh_dir share/zsh/site-functions)
  endif()
  file(INSTALL \"${CMAKE_SOURCE_DIR}/completion/_lattigo-batch\"
    DESTINATION \"\${CMAKE_INSTALL_PREFIX}/\${lattigo_zsh_dir}\")
")
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/LICENSE
  DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The Debian package. Depends is computed by dpkg-shlibdeps from the libraries
# the binaries really link (libcurl4, libjansson4, libcsv3, libmicrohttpd12,
# libssl3, zlib1g, libc6): runtime packages, never the -dev ones.
set(CPACK_PACKAGE_NAME lattigo-batch)
set(CPACK_PACKAGE_VENDOR "lattigo-batch")
set(CPACK_PACKAGE_CONTACT "lattigo-batch maintainers <maintainers@lattigo-batch.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "push provisioning jobs through the Lattigo M2M API, with a local simulator")
set(CPACK_PACKAGE_DESCRIPTION
  "lattigo-batch validates CSV/JSONL manifests of devices, sends them through the Lattigo M2M API in chunks within its rate limits, records every row's outcome, resumes interrupted jobs and keeps a hash-chained audit trail. lattigo-sim simulates the API locally.")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/LICENSE)
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)
include(CPack)

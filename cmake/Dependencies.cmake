# Every dependency comes from a Debian package; a missing one stops the
# configure step with the name of the package that provides it.
find_package(PkgConfig)

function(lattigo_require_pkg target module debian_package)
  if(PKG_CONFIG_FOUND)
    pkg_check_modules(${target} QUIET IMPORTED_TARGET ${module})
  endif()
  if(NOT ${target}_FOUND)
    message(FATAL_ERROR "missing dependency '${module}': install the Debian package ${debian_package} (apt-get install -y ${debian_package}), or run scripts/setup")
  endif()
endfunction()

lattigo_require_pkg(CURL libcurl libcurl4-openssl-dev)
lattigo_require_pkg(JANSSON jansson libjansson-dev)
lattigo_require_pkg(ZLIB zlib zlib1g-dev)
lattigo_require_pkg(MHD libmicrohttpd libmicrohttpd-dev)
lattigo_require_pkg(CRYPTO libcrypto libssl-dev)
# .xlsx manifests (zip + streaming XML) and .xlsx results, errors and templates.
lattigo_require_pkg(LIBZIP libzip libzip-dev)
lattigo_require_pkg(EXPAT expat libexpat1-dev)
lattigo_require_pkg(XLSXWRITER xlsxwriter libxlsxwriter-dev)

# libcsv ships no pkg-config file.
find_path(CSV_INCLUDE_DIR csv.h)
find_library(CSV_LIBRARY csv)
if(NOT CSV_INCLUDE_DIR OR NOT CSV_LIBRARY)
  message(FATAL_ERROR "missing dependency 'libcsv': install the Debian package libcsv-dev (apt-get install -y libcsv-dev), or run scripts/setup")
endif()
add_library(csv::csv UNKNOWN IMPORTED)
set_target_properties(csv::csv PROPERTIES IMPORTED_LOCATION "${CSV_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${CSV_INCLUDE_DIR}")

if(LATTIGO_TESTS OR NOT DEFINED LATTIGO_TESTS)
  lattigo_require_pkg(CMOCKA cmocka libcmocka-dev)
endif()

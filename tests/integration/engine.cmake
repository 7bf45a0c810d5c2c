# Engine integration tests: the real lattigo-batch against lattigo-sim with faults.
foreach(case throttle fail_rate drop_activate bisect credentials stall sigint tls dead_service readback 5xx max_errors)
  lattigo_script_test(engine_${case} ${CMAKE_CURRENT_SOURCE_DIR}/integration/engine_${case}.sh TIMEOUT 60)
endforeach()
# TLS: --cacert and the environment, refused certificates that say why, https -> http redirects.
lattigo_script_test(tls ${CMAKE_CURRENT_SOURCE_DIR}/integration/tls.sh TIMEOUT 120)

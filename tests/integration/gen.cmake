# The manifest generator (scripts/gen-manifest.py) used by tests and benchmarks.
lattigo_script_test(gen_manifest ${CMAKE_CURRENT_SOURCE_DIR}/integration/gen_manifest.sh TIMEOUT 120)

# The manifest generator (scripts/gen-manifest.py) used by tests and benchmarks,
# and a cross-check that lattigo-batch flags exactly the rows it damaged.
lattigo_script_test(gen_manifest ${CMAKE_CURRENT_SOURCE_DIR}/integration/gen_manifest.sh TIMEOUT 120)
lattigo_script_test(gen_validate ${CMAKE_CURRENT_SOURCE_DIR}/integration/gen_validate.sh TIMEOUT 120)

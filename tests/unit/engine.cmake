# Engine unit tests: pure decisions (retry, rate, policy) and chunk planning.
lattigo_unit_test(test_engine_policy SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_engine_policy.c LINK lattigo_engine)
lattigo_unit_test(test_engine_planner SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_engine_planner.c LINK lattigo_engine)
lattigo_unit_test(test_engine_decide SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_engine_decide.c LINK lattigo_engine)
# The transfer loop against an in-process libmicrohttpd server with scripted faults.
lattigo_unit_test(test_engine_loop SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_engine_loop.c LINK lattigo_engine PkgConfig::MHD pthread)

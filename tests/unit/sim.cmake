# Unit tests of the simulator's pure logic.
lattigo_unit_test(test_sim_pagination SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_sim_pagination.c LINK lattigo_sim_core)
lattigo_unit_test(test_sim_request SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_sim_request.c LINK lattigo_sim_core)
lattigo_unit_test(test_sim_store SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_sim_store.c LINK lattigo_sim_core)

# The live state: snapshot index, storage, age check and row classification (issue 10).
lattigo_unit_test(test_live SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_live.c LINK lattigo_live)

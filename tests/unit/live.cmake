# The live state: snapshot index, storage, age check and row classification (issue 10).
lattigo_unit_test(test_live SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_live.c LINK lattigo_live)
# The preflight's kept verdicts: round trip, notes in any order, torn or damaged files refused (issue 14).
lattigo_unit_test(test_live_verdicts SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_live_verdicts.c LINK lattigo_live)
# The rows judged against a snapshot spilled to disk by a tiny budget, by partitions, as in memory (issue 14).
lattigo_unit_test(test_live_judge SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_live_judge.c LINK lattigo_live)

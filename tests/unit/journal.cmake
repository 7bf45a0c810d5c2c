lattigo_unit_test(test_journal SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_journal.c
  LINK lattigo_journal)
lattigo_unit_test(test_journal_compaction
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_journal_compaction.c LINK lattigo_journal)
lattigo_unit_test(test_journal_keys SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_journal_keys.c
  LINK lattigo_journal)
lattigo_unit_test(test_journal_duplicate_rows
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_journal_duplicate_rows.c LINK lattigo_journal)
lattigo_unit_test(test_journal_manifest_seen
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_journal_manifest_seen.c LINK lattigo_journal)
lattigo_unit_test(test_journal_row_bits
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_journal_row_bits.c LINK lattigo_journal)

# Unit tests of report.html's pieces: time buckets, latency percentiles,
# message groups, escaping, time parsing.
lattigo_unit_test(test_report
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_report.c
  LINK lattigo_report)

lattigo_unit_test(test_job_lock SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_job_lock.c
  LINK lattigo_jobdir)

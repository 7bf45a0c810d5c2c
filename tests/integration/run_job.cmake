# Integration tests of run/resume as a whole (the job directory, crashes, refusals).
# Crash tests (issue 5): SIGKILL at random moments, resume, compare with an uninterrupted run.
foreach(op cost-center activate)
  lattigo_script_test(crash_resume_${op} ${CMAKE_CURRENT_SOURCE_DIR}/integration/crash_resume.sh TIMEOUT 180)
  set_property(TEST crash_resume_${op} PROPERTY ENVIRONMENT_MODIFICATION CRASH_OP=set:${op})
  # the same with the checkpoint compacted every few calls (docs/checkpoint.md, "Compaction")
  lattigo_script_test(crash_resume_compaction_${op} ${CMAKE_CURRENT_SOURCE_DIR}/integration/crash_resume.sh TIMEOUT 180)
  set_property(TEST crash_resume_compaction_${op} PROPERTY ENVIRONMENT_MODIFICATION
    CRASH_OP=set:${op} LATTIGO_CHECKPOINT_SEGMENT_BYTES=set:4096)
endforeach()
# What run refuses before writing or sending anything, and what protects a job directory.
lattigo_script_test(run_refusals ${CMAKE_CURRENT_SOURCE_DIR}/integration/run_refusals.sh TIMEOUT 60)
# Rows of one device reach the API in manifest order (issue 16 #4).
lattigo_script_test(note_order ${CMAKE_CURRENT_SOURCE_DIR}/integration/note_order.sh TIMEOUT 120)
# errors.csv fed back through the same job file (issue 17 §1, issue 16 #6).
lattigo_script_test(errors_refeed ${CMAKE_CURRENT_SOURCE_DIR}/integration/errors_refeed.sh TIMEOUT 60)
# The read side: export.
lattigo_script_test(export ${CMAKE_CURRENT_SOURCE_DIR}/integration/export.sh TIMEOUT 60)
# The job directory lock: many processes racing for one --out, with and without a lock left by kill -9.
lattigo_script_test(job_lock_race ${CMAKE_CURRENT_SOURCE_DIR}/integration/job_lock_race.sh TIMEOUT 120)
# Full disks and file size limits: exit 3, then a resume finishes with outputs equal to an uninterrupted run.
lattigo_script_test(disk_full ${CMAKE_CURRENT_SOURCE_DIR}/integration/disk_full.sh TIMEOUT 240)
# Power loss (issue 11): an LD_PRELOAD shim records the job's writes, fsyncs and
# sends; crash states at many cut points are rebuilt and resumed.
add_library(crash_record_io MODULE ${CMAKE_SOURCE_DIR}/tests/crash/record_io.c)
target_link_libraries(crash_record_io PRIVATE dl pthread)
# a shim must not carry the sanitizers: it is preloaded ahead of their runtime
# (dlsym returns a void * that POSIX lets us call: -Wno-pedantic)
target_compile_options(crash_record_io PRIVATE -fno-sanitize=all -Wno-missing-prototypes -Wno-pedantic)
target_link_options(crash_record_io PRIVATE -fno-sanitize=all)
set_target_properties(crash_record_io PROPERTIES PREFIX "" LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
lattigo_script_test(power_loss ${CMAKE_SOURCE_DIR}/tests/crash/power_loss.sh TIMEOUT 300)
set_property(TEST power_loss APPEND PROPERTY ENVIRONMENT "CRASH_SHIM=${CMAKE_BINARY_DIR}/crash_record_io.so")
# The same with the checkpoint compacted every few calls: power cuts and kills
# at every step of a compaction (docs/checkpoint.md, "Compaction").
lattigo_script_test(power_loss_compaction ${CMAKE_SOURCE_DIR}/tests/crash/power_loss.sh TIMEOUT 400)
set_property(TEST power_loss_compaction APPEND PROPERTY ENVIRONMENT
  "CRASH_SHIM=${CMAKE_BINARY_DIR}/crash_record_io.so" CRASH_SEGMENT_BYTES=1024 CRASH_CUTS=6)
# The endpoint and the start line (new job / resuming / already complete), issue 17 §2 §3.
lattigo_script_test(endpoint_shown ${CMAKE_CURRENT_SOURCE_DIR}/integration/endpoint_shown.sh TIMEOUT 60)
# One set of counters across progress, closing lines, status, summary.json and the audit trail (issue 17 §2).
lattigo_script_test(counters_agree ${CMAKE_CURRENT_SOURCE_DIR}/integration/counters_agree.sh TIMEOUT 120)
# Resume with the duplicate keys loaded and the manifest sought, and with a damaged keys file (issue 14).
foreach(format csv jsonl.gz)
  string(REPLACE "." "_" name resume_keys_${format})
  lattigo_script_test(${name} ${CMAKE_CURRENT_SOURCE_DIR}/integration/resume_keys.sh TIMEOUT 120)
  set_property(TEST ${name} PROPERTY ENVIRONMENT_MODIFICATION KEYS_FORMAT=set:${format})
endforeach()
lattigo_script_test(resume_duplicate_rows
  ${CMAKE_CURRENT_SOURCE_DIR}/integration/resume_duplicate_rows.sh TIMEOUT 180)
# the same with an account beyond the preflight's memory budget: the rows are
# read twice (routed to partitions, then judged), the list written by both
lattigo_script_test(resume_duplicate_rows_spooled
  ${CMAKE_CURRENT_SOURCE_DIR}/integration/resume_duplicate_rows.sh TIMEOUT 180)
set_property(TEST resume_duplicate_rows_spooled APPEND PROPERTY ENVIRONMENT
  "LATTIGO_TEST_SNAPSHOT_DEVICES=100")

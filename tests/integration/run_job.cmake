# Crash tests (issue 5): SIGKILL at random moments, resume, compare with an uninterrupted run.
foreach(op cost-center activate)
  lattigo_script_test(crash_resume_${op} ${CMAKE_CURRENT_SOURCE_DIR}/integration/crash_resume.sh TIMEOUT 180)
  set_property(TEST crash_resume_${op} PROPERTY ENVIRONMENT_MODIFICATION CRASH_OP=set:${op})
endforeach()

# Writes OUT (a header defining IPC_BENCH_VERSION) from `git describe` in SRC.
# Run at every build, so a reused build tree never reports a stale version;
# the file is rewritten only when the text changes, so nothing rebuilds then.
execute_process(
  COMMAND git describe --tags --always --dirty
  WORKING_DIRECTORY ${SRC}
  OUTPUT_VARIABLE describe
  OUTPUT_STRIP_TRAILING_WHITESPACE
  ERROR_QUIET)
if(NOT describe)
  set(describe ${FALLBACK})
endif()
set(text "#pragma once\n#define IPC_BENCH_VERSION \"${describe}\"\n")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT "${old}" STREQUAL "${text}")
  file(WRITE ${OUT} "${text}")
endif()

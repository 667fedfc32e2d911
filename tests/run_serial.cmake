# Read by ctest after the tests gtest_discover_tests found: the test that
# switches io_uring off machine-wide runs with nothing beside it.
set_tests_properties(RefusedTransport.IoUringDisabledBySysctlIsSkippedWithItsNote PROPERTIES RUN_SERIAL TRUE)

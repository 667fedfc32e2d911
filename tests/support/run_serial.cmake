# Read by ctest after the tests gtest_discover_tests found: the test that
# switches io_uring off machine-wide runs with nothing beside it.
set_tests_properties(RefusedTransport.IoUringDisabledBySysctlIsSkippedWithItsNote PROPERTIES RUN_SERIAL TRUE)
# The open-loop tests hold a rate of 1 k/s and count what a 50 ms stall
# costs: another test's load on the 2 CPUs would add stalls of its own.
set_tests_properties(OpenLoopWithPython.AStallIsCountedForEveryPingItDelayed
                     OpenLoopWithPython.TheStallShowsInTheJsonOfARun
                     OpenLoop.WellInsideItsCapacityCorrectedAndRawAgreeAndNoSendIsLate PROPERTIES RUN_SERIAL TRUE)

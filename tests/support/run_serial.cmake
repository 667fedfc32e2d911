# Read by ctest after the tests gtest_discover_tests found: the test that
# switches io_uring off machine-wide runs with nothing beside it.
set_tests_properties(RefusedTransport.IoUringDisabledBySysctlIsSkippedWithItsNote PROPERTIES RUN_SERIAL TRUE)
# The open-loop tests hold a rate of 1 k/s and count what a 50 ms stall
# costs: another test's load on the 2 CPUs would add stalls of its own.
set_tests_properties(OpenLoopWithPython.AStallIsCountedForEveryPingItDelayed
                     OpenLoopWithPython.TheStallShowsInTheJsonOfARun
                     OpenLoop.WellInsideItsCapacityCorrectedAndRawAgreeAndNoSendIsLate PROPERTIES RUN_SERIAL TRUE)
# RouDi is one per machine: the tests that watch its whole life run alone,
# and the stop-signal tests of the transports that need it never beside each
# other (a private RouDi still in use by another run is left to that run,
# and would be reparented to the signal test, a subreaper).
set_tests_properties(Roudi.OneRunningBeforeTheRunIsUsedAndStillRunsAfterIt
                     Roudi.APrivateOneIsGoneAfterTheRunWithItsSharedMemory
                     Roudi.CtrlCMidRunStopsThePrivateOneAndLeavesNothing
                     Roudi.WithoutIoxRoudiTheTransportsAreRefusedInOneLine PROPERTIES RUN_SERIAL TRUE)
foreach(roudi_transport iceoryx iceoryx_spin cyclonedds_shm)
  foreach(roudi_signal SIGINT SIGTERM)
    set_tests_properties(Registry/StopSignalTest.ConsumersAreReapedAndNothingIsLeft/${roudi_transport}_${roudi_signal}
                         PROPERTIES RESOURCE_LOCK roudi)
  endforeach()
endforeach()
# Every other test of a transport that needs RouDi takes the same lock: a
# RouDi one test started (sized for its payloads) would otherwise serve, and
# be stopped under, a test beside it.  Two runs at once sharing one is
# Isolation.TwoRunsAtOnceBothSucceed's own subject.
foreach(discovered IN LISTS ipc_tests_TESTS)
  if(discovered MATCHES "/(iceoryx|iceoryx_spin|cyclonedds_shm)([ _]|$)" AND NOT discovered MATCHES "^Registry/StopSignalTest")
    set_tests_properties("${discovered}" PROPERTIES RESOURCE_LOCK roudi)
  endif()
endforeach()
set_tests_properties(Isolation.TwoRunsAtOnceBothSucceed PROPERTIES RESOURCE_LOCK roudi)

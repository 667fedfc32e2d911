#pragma once
// CPU time of each side of a run, read around the timed batch.
//
// Linux (linux/cpu_time.cpp): the producer's is CLOCK_PROCESS_CPUTIME_ID of ipc_bench: the benchmark
// thread, and also the watchdog thread (one wake-up per tick, timeout / 20
// and at most every 100 ms) and any thread a library starts (ZeroMQ's I/O
// thread, which does the producer's sending and receiving for zmq_*).  The
// consumer's is its own process CPU clock, from clock_getcpuclockid(3):
// every thread of the spawned process (not its children), busy-waiting
// included.  Neither includes the other side, nor the kernel's work done in
// interrupts or softirq context on behalf of neither.
//
// Windows (windows/cpu_time.cpp): GetProcessTimes (MSDN: "GetProcessTimes
// function"), kernel + user time, of ipc_bench (every thread, as above) and
// of the consumer, opened by pid with PROCESS_QUERY_LIMITED_INFORMATION.
// The unit is 100 ns, but Windows charges CPU time per scheduler tick
// (15.625 ms by default): a batch shorter than some ticks reads coarsely,
// 0 or whole ticks, and only a long run's per-round-trip figure means much.
// Under wine the consumer's time is left out: wine's GetProcessTimes gives
// the calling process's own times for any process handle.
#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace ipc::bench {

struct CpuTimes {
  std::uint64_t producer_ns = 0;
  std::optional<std::uint64_t> consumer_ns;  // absent: a remote consumer, or its clock unreadable
};

// Both clocks now.  `consumer` is the consumer's pid, or -1 for none.
// Never throws: an unreadable consumer clock leaves consumer_ns empty.
CpuTimes read_cpu_times(pid_t consumer) noexcept;

}  // namespace ipc::bench

#pragma once
// The machine's floor: what the cheapest possible round trip between two
// CPUs costs here, measured on the same machine and CPUs as a benchmark, so
// that a transport's figure can be read against it.  Published floors move
// with firmware and hypervisors, so they must be measured, not quoted.
//
// Both functions time with ipc::TickClock and use the estimator of the
// benchmark's repetitions: the median of batch means (15 batches of N round
// trips, N sized from a warm-up so that the batches fill a time budget).
// They run one helper thread pinned to cpu_b; the calling thread is pinned to
// cpu_a while it measures (ipc::ScopedPin) and gets its affinity back after.
// Every wait is bounded: a peer that does not answer within 2 s throws
// ipc::Error rather than hanging.
//
// CPU numbers are those of placement.hpp (the kernel's on Linux, bits of
// processor group 0's affinity mask on Windows).

namespace ipc {

// The cache-line round trip between cpu_a and cpu_b, in nanoseconds: the
// floor of a transport that spins on shared memory (shm_spin).  The method of
// rigtorp/c2clat and nviennot/core-to-core-latency: cpu_a writes a sequence
// number to one cache line, cpu_b spins until it sees it and writes it to a
// second line, cpu_a spins until it sees it there.  One line per direction,
// each written by one side only, so a round trip is two line transfers; the
// spin uses the pause hint and the acquire/release orders shm_spin uses.
// Budget: about 30 ms (batches of about 2 ms).  Cap: on a machine so loaded
// that the batches come out longer, the measurement stops at 200 ms (and
// at most 16 round trips) and the median is over the batches done.
// Throws ipc::Error if cpu_a == cpu_b (two spinning threads on one CPU take
// turns at the scheduler's pace: that measures the time slice, not the
// floor), if either thread cannot be pinned, or if the peer does not answer.
[[nodiscard]] double cacheline_round_trip_ns(int cpu_a, int cpu_b);

// The minimal blocking wake-up round trip between cpu_a and cpu_b, in
// nanoseconds: the floor of a transport that sleeps (pipe, eventfd,
// shm_futex).  Each side stores a sequence number into its own word and
// wakes the other, which sleeps on that word without spinning first: on
// Linux futex(2) FUTEX_WAKE and FUTEX_WAIT (FUTEX_PRIVATE_FLAG: both threads
// share one address space), on Windows WakeByAddressSingle and
// WaitOnAddress.  Two system calls per side per round trip, as a pipe makes.
// cpu_a == cpu_b is allowed: a wake-up on the same CPU is a switch between
// the two threads, what a sleeping transport pays at placement `same`.
// Budget: about 100 ms (a round trip costs 2-10 us on bare metal, 20-50 us
// between the vCPUs of a VM).  Cap: 400 ms (and at most 16 round trips), as
// above.
// Throws ipc::Error if either thread cannot be pinned, if a wait or wake
// system call fails, or if the peer does not answer.
[[nodiscard]] double wakeup_round_trip_ns(int cpu_a, int cpu_b);

}  // namespace ipc

#pragma once
// Fan-out (ipc_bench --fanout N): one producer, N consumer processes.  Each
// ping goes to every consumer; the round trip ends when all N pongs have
// been checked.  Each consumer also writes, into its pong, the moment it had
// the ping on the machine's common clock (TickClock's ticks: the TSC where
// it is invariant and the kernel trusts it across CPUs, CLOCK_MONOTONIC
// otherwise; both read the same in every process), so that each receiver's
// delivery latency is that moment minus the moment the producer began to
// publish.  A fan-out of 1 is never a Fanout: it is today's Runner.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include "ipc/histogram.hpp"
#include "ipc/runner.hpp"
#include "ipc/tick_clock.hpp"

namespace ipc {

// Where the delivery stamp rides in a pong: the 8 bytes after the leading
// sequence number, i.e. filler that the producer restores before the check.
inline constexpr std::size_t kDeliveryStampOffset = 8;
// The smallest payload that carries the sequence and the stamp (bytes).
inline constexpr std::size_t kFanoutMinPayload = 16;

// The consumer's side: writes the delivery stamp into `ping`, just received
// and about to be echoed (at least kFanoutMinPayload bytes).  One clock read
// (a bare rdtsc, ~14 ns on the development VM) and one 8-byte store.
inline void stamp_delivery(const TickClock& clock, std::span<std::byte> ping) noexcept {
  const std::uint64_t had = clock.stamp();
  std::memcpy(ping.data() + kDeliveryStampOffset, &had, sizeof had);
}

// The consumer's side where the pong is a copy of the ping in shared
// memory (shm_spin, shm_futex, eventfd): the ping copied into `pong` with
// the delivery stamp, read before the copy, in its place.  `payload` is at
// least kFanoutMinPayload bytes.
struct StampedEcho {
  const TickClock& clock;
  void operator()(std::byte* pong, const std::byte* ping, std::size_t payload) const noexcept {
    const std::uint64_t had = clock.stamp();
    std::memcpy(pong, ping, payload);
    std::memcpy(pong + kDeliveryStampOffset, &had, sizeof had);
  }
};

struct FanoutOptions {
  RunnerOptions runner;           // payload, consumer command, timeout, check; runner.consumer_cpu unused
  // One entry per consumer (N of them): its CPU, possibly another's too, or
  // none (unpinned).
  std::vector<std::optional<int>> consumer_cpus;
};

class Fanout : public Runner {
 public:
  // Receiver i's delivery latencies (TickClock ticks) of the last run():
  // from the producer's stamp before its first send of a ping to receiver
  // i's stamp on having it.  One histogram per receiver, reset by run().
  [[nodiscard]] virtual std::span<const LatencyHistogram> deliveries() const noexcept = 0;
};

}  // namespace ipc

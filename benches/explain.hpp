#pragma once
// The explanation counters of a result (docs/methodology.md, "Explaining a
// figure"): per round trip and per side, system calls, context switches
// (all, and the involuntary ones), CPU migrations and page faults, counted
// by ipc::SideCounters around the timed batch, never inside it.
//
// JSON counters: producer_<event> and consumer_<event> for each event of
// side_counters.hpp but cpu_ns (which refines consumer_cpu_ns instead), each
// per round trip; absent where the machine cannot count it, the JSON context
// key explain_source saying why.
#include <benchmark/benchmark.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "ipc/side_counters.hpp"

namespace ipc::bench {

// Both sides' counters over one batch: open them, read before, read after.
// The consumer's are read first before the batch and last after it, so the
// producer's own count holds none of the reads of the consumer's.
class BatchCounters {
 public:
  // `consumer`: its pid, or -1 (a remote consumer: the producer side only).
  // Never throws (what cannot be counted is absent).
  explicit BatchCounters(pid_t consumer) noexcept;
  void before() noexcept;
  void after() noexcept;

  // Sets producer_* and consumer_* per round trip over `round_trips`.
  void report(benchmark::State& state, std::uint64_t round_trips) const;
  // The consumer's CPU time over the batch in ns where it is exact
  // (task-clock), else std::nullopt.
  [[nodiscard]] std::optional<std::uint64_t> consumer_cpu_ns() const noexcept;

 private:
  SideCounters producer_;
  std::optional<SideCounters> consumer_;
  SideCounts producer_before_, consumer_before_;  // the readings before the batch
  SideCounts producer_delta_, consumer_delta_;    // over the batch, once after() has read again
};

// The JSON context key explain_source: which threads each side counts and,
// per event, the source or why it is absent, for this machine and user
// (read from counters opened on ipc_bench itself: a consumer it spawns runs
// as the same user).  `remote`: the consumer side is not counted.
std::string explain_source(bool remote);

}  // namespace ipc::bench

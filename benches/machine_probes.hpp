#pragma once
// The machine's own floor and noise, measured in the same run on the same
// CPUs as the benchmarks (docs/methodology.md, "The machine's floor and
// noise"):
//   - before the first benchmark and after the last, a noise probe on every
//     CPU the run pins (all at once, kNoiseProbe each time): the gaps in a
//     pinned thread's reading of the benchmark's own clock (ipc/noise.hpp);
//   - before the first benchmark, for every pair of CPUs a benchmark uses,
//     the cache-line round trip (distinct CPUs only) and the futex wake-up
//     round trip between them (ipc/floor.hpp);
//   - the steal time /proc/stat reports for those CPUs over the run.
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "bench_spec.hpp"
#include "ipc/noise.hpp"

namespace ipc::bench {

// Each noise probe's length: twice per run, on all CPUs at once.
inline constexpr std::chrono::milliseconds kNoiseProbe{50};

struct PairFloor {
  std::optional<double> cacheline_ns, wakeup_ns;  // absent: why in *_absent
  std::string cacheline_absent, wakeup_absent;
};

class MachineProbes {
 public:
  // Probes noise on `cpus` and measures the floor of every pinned pair of
  // `specs` (a remote or unpinned benchmark has none).  Never throws: a
  // probe that fails leaves its figure absent, with the reason.
  void before(const std::set<int>& cpus, const std::vector<BenchSpec>& specs) noexcept;
  // The second noise probe and the steal time since before().  Never throws.
  void after() noexcept;

  // The floor of `spec`'s CPU pair, or nullptr.
  [[nodiscard]] const PairFloor* floor(const BenchSpec& spec) const noexcept;
  // `spec`'s mean over the floor of its kind: the cache line for a spinning
  // transport, the wake-up for a sleeping one.
  [[nodiscard]] std::optional<double> vs_floor(const BenchSpec& spec, double mean_ns) const noexcept;
  // The largest gap either probe saw on `cpu`, ns.
  [[nodiscard]] std::optional<double> largest_gap_ns(int cpu) const noexcept;

  // One line per CPU pair for the console, above the summary:
  // "CPUs 0,1: floor cache line 540 ns, wake-up 45.2 us; noise CPU 0 ..."
  [[nodiscard]] std::vector<std::string> lines() const;
  // JSON context: "floor" (known before the run), then after it "noise"
  // and "steal".
  [[nodiscard]] std::string floor_context() const;
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> late_context() const;

 private:
  std::map<std::pair<int, int>, PairFloor> floors_;
  std::vector<NoiseReport> noise_before_, noise_after_;
  std::string noise_absent_;
  std::map<int, std::optional<std::uint64_t>> steal_before_, steal_after_;
  std::set<int> cpus_;
};

}  // namespace ipc::bench

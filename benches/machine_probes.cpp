#include "machine_probes.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "ipc/floor.hpp"
#include "summary.hpp"

namespace ipc::bench {
namespace {

std::string noise_text(const NoiseReport& r) {
  return fmt::format("CPU {} {:.0f} gaps/s, p99.9 {}, max {}, {:.2f}% lost", r.cpu, r.gaps_per_second,
                     short_duration(r.p999_gap_ns), short_duration(r.max_gap_ns), r.lost_share * 100);
}

std::optional<std::pair<int, int>> pair_of(const BenchSpec& spec) {
  if (!spec.cpus.producer || !spec.cpus.consumer) return std::nullopt;
  return std::pair{*spec.cpus.producer, *spec.cpus.consumer};
}

}  // namespace

void MachineProbes::before(const std::set<int>& cpus, const std::vector<BenchSpec>& specs) noexcept {
  try {
    cpus_ = cpus;
    for (const int cpu : cpus_) steal_before_[cpu] = steal_ns(cpu);
    try {
      noise_before_ = probe_noise({cpus_.begin(), cpus_.end()}, kNoiseProbe, default_noise_threshold_ns());
    } catch (const std::exception& e) {
      noise_absent_ = e.what();
    }
    for (const BenchSpec& spec : specs) {
      const auto pair = pair_of(spec);
      if (!pair || floors_.contains(*pair)) continue;
      PairFloor& f = floors_[*pair];
      if (pair->first == pair->second) {
        f.cacheline_absent = "one CPU: two spinning threads on it measure the scheduler";
      } else {
        try {
          f.cacheline_ns = cacheline_round_trip_ns(pair->first, pair->second);
        } catch (const std::exception& e) {
          f.cacheline_absent = e.what();
        }
      }
      try {
        f.wakeup_ns = wakeup_round_trip_ns(pair->first, pair->second);
      } catch (const std::exception& e) {
        f.wakeup_absent = e.what();
      }
    }
  } catch (...) {
    // Out of memory: the figures not yet had stay absent.
  }
}

void MachineProbes::after() noexcept {
  try {
    if (noise_absent_.empty() && !cpus_.empty()) {
      try {
        noise_after_ = probe_noise({cpus_.begin(), cpus_.end()}, kNoiseProbe, default_noise_threshold_ns());
      } catch (const std::exception& e) {
        noise_absent_ = e.what();
      }
    }
    for (const int cpu : cpus_) steal_after_[cpu] = steal_ns(cpu);
  } catch (...) {
  }
}

const PairFloor* MachineProbes::floor(const BenchSpec& spec) const noexcept {
  const auto pair = pair_of(spec);
  if (!pair) return nullptr;
  const auto it = floors_.find(*pair);
  return it == floors_.end() ? nullptr : &it->second;
}

std::optional<double> MachineProbes::vs_floor(const BenchSpec& spec, double mean_ns) const noexcept {
  const PairFloor* f = floor(spec);
  if (!f) return std::nullopt;
  const std::optional<double>& of_kind = spec.transport->spins ? f->cacheline_ns : f->wakeup_ns;
  if (!of_kind || *of_kind <= 0) return std::nullopt;
  return mean_ns / *of_kind;
}

std::optional<double> MachineProbes::largest_gap_ns(int cpu) const noexcept {
  std::optional<double> largest;
  for (const auto* reports : {&noise_before_, &noise_after_})
    for (const NoiseReport& r : *reports)
      if (r.cpu == cpu) largest = std::max(largest.value_or(0), r.max_gap_ns);
  return largest;
}

std::vector<std::string> MachineProbes::lines() const {
  std::vector<std::string> out;
  for (const auto& [pair, f] : floors_) {
    std::string line = fmt::format("CPUs {},{}: floor cache line {}, wake-up {}", pair.first, pair.second,
                                   f.cacheline_ns ? short_duration(*f.cacheline_ns) : "-",
                                   f.wakeup_ns ? short_duration(*f.wakeup_ns) : "-");
    std::vector<std::string> noise;
    for (const int cpu : std::set<int>{pair.first, pair.second}) {
      if (const auto gap = largest_gap_ns(cpu)) noise.push_back(fmt::format("CPU {} {}", cpu, short_duration(*gap)));
    }
    if (!noise.empty()) line += fmt::format("; largest stall {}", fmt::join(noise, ", "));
    out.push_back(std::move(line));
  }
  return out;
}

std::string MachineProbes::floor_context() const {
  std::vector<std::string> entries;
  for (const auto& [pair, f] : floors_) {
    entries.push_back(fmt::format(
        "{},{}: cacheline {}, wakeup {}", pair.first, pair.second,
        f.cacheline_ns ? fmt::format("{:.1f} ns", *f.cacheline_ns) : "absent (" + f.cacheline_absent + ")",
        f.wakeup_ns ? fmt::format("{:.1f} ns", *f.wakeup_ns) : "absent (" + f.wakeup_absent + ")"));
  }
  return entries.empty() ? "none (no pinned pair of CPUs)" : fmt::format("{}", fmt::join(entries, "; "));
}

std::vector<std::pair<std::string, std::string>> MachineProbes::late_context() const {
  std::string noise;
  if (!noise_absent_.empty()) {
    noise = "absent (" + noise_absent_ + ")";
  } else if (cpus_.empty()) {
    noise = "none (no CPU pinned)";
  } else {
    std::vector<std::string> parts;
    const auto add = [&parts](const char* when, const std::vector<NoiseReport>& reports) {
      for (const NoiseReport& r : reports) parts.push_back(fmt::format("{} {}", when, noise_text(r)));
    };
    add("before", noise_before_);
    add("after", noise_after_);
    const double threshold = noise_before_.empty() ? 0 : noise_before_.front().threshold_ns;
    noise = fmt::format("{:.0f} ms per probe, gaps above {}: {}", static_cast<double>(kNoiseProbe.count()),
                        short_duration(threshold), fmt::join(parts, "; "));
  }
  std::vector<std::string> steal;
  for (const int cpu : cpus_) {
    const auto b = steal_before_.find(cpu), a = steal_after_.find(cpu);
    if (b == steal_before_.end() || a == steal_after_.end() || !b->second || !a->second) {
      steal.push_back(fmt::format("CPU {} unknown", cpu));
    } else {
      steal.push_back(fmt::format("CPU {} {:.0f} ms", cpu, static_cast<double>(*a->second - *b->second) / 1e6));
    }
  }
  return {{"noise", noise}, {"steal", steal.empty() ? "none (no CPU pinned)" : fmt::format("{}", fmt::join(steal, ", "))}};
}

}  // namespace ipc::bench

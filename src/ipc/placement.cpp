#include "ipc/placement.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "ipc/error.hpp"

namespace ipc {

std::optional<Placement> parse_placement(std::string_view text) noexcept {
  if (text == "split") return Placement::split;
  if (text == "same") return Placement::same;
  if (text == "none") return Placement::none;
  return std::nullopt;
}

std::string_view to_string(Placement placement) noexcept {
  switch (placement) {
    case Placement::split: return "split";
    case Placement::same: return "same";
    case Placement::none: return "none";
  }
  return "unknown";
}

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) != 0) throw_errno("sched_getaffinity");
  std::vector<int> cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  return cpus;
}

CpuAssignment assign_cpus(Placement placement, std::optional<std::pair<int, int>> chosen,
                          const std::vector<int>& allowed) {
  if (placement == Placement::none) return {};
  const auto is_allowed = [&](int cpu) { return std::ranges::find(allowed, cpu) != allowed.end(); };
  if (chosen) {
    for (const int cpu : {chosen->first, chosen->second}) {
      if (!is_allowed(cpu))
        throw Error(fmt::format("CPU {} is not one this process may use (allowed: {})", cpu, fmt::join(allowed, ",")));
    }
    if (placement == Placement::same) return {chosen->first, chosen->first};
    if (chosen->first == chosen->second)
      throw Error(fmt::format("placement split needs two different CPUs, --cpus gave {},{}", chosen->first, chosen->second));
    return {chosen->first, chosen->second};
  }
  if (allowed.empty()) throw Error("no CPU is allowed for this process");
  if (placement == Placement::same) return {allowed[0], allowed[0]};
  if (allowed.size() < 2)
    throw Error(fmt::format("placement split needs two CPUs; this process may only use CPU {}", allowed[0]));
  return {allowed[0], allowed[1]};
}

ScopedPin::ScopedPin(std::optional<int> cpu) {
  if (!cpu) return;
  if (::sched_getaffinity(0, sizeof previous_, &previous_) != 0) throw_errno("sched_getaffinity");
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(*cpu, &set);
  if (::sched_setaffinity(0, sizeof set, &set) != 0) throw_errno(fmt::format("pin to CPU {}", *cpu));
  pinned_ = true;
}

ScopedPin::~ScopedPin() {
  if (pinned_) ::sched_setaffinity(0, sizeof previous_, &previous_);
}

}  // namespace ipc

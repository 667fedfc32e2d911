#include "ipc/placement.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <string>

#include "ipc/error.hpp"
#include "ipc/topology.hpp"

namespace ipc {

namespace {

constexpr Placement kTopologyClasses[] = {Placement::smt, Placement::llc, Placement::cross_llc, Placement::cross_node};

bool same_value(const std::optional<int>& a, const std::optional<int>& b) { return a && b && *a == *b; }
bool different_values(const std::optional<int>& a, const std::optional<int>& b) { return a && b && *a != *b; }

// Whether distinct CPUs a and b are a pair of topology class `placement`;
// false wherever the topology does not know.
bool is_pair_of(Placement placement, int a, int b, const Topology& topology) noexcept {
  const CpuTopology* x = topology.find(a);
  const CpuTopology* y = topology.find(b);
  if (a == b || !x || !y) return false;
  switch (placement) {
    case Placement::smt: return same_value(x->core, y->core);
    case Placement::llc: return different_values(x->core, y->core) && same_value(x->llc, y->llc);
    case Placement::cross_llc: return different_values(x->llc, y->llc) && same_value(x->node, y->node);
    case Placement::cross_node: return different_values(x->node, y->node);
    default: return false;
  }
}

// The lowest pair of `placement` among `allowed` (in ascending order).
std::optional<std::pair<int, int>> first_pair(Placement placement, const std::vector<int>& allowed,
                                              const Topology& topology) {
  std::vector<int> cpus = allowed;
  std::ranges::sort(cpus);
  for (std::size_t i = 0; i < cpus.size(); ++i) {
    for (std::size_t j = i + 1; j < cpus.size(); ++j)
      if (is_pair_of(placement, cpus[i], cpus[j], topology)) return std::pair{cpus[i], cpus[j]};
  }
  return std::nullopt;
}

std::string names(const std::vector<Placement>& placements) {
  std::vector<std::string_view> texts;
  for (const Placement p : placements) texts.push_back(to_string(p));
  return fmt::format("{}", fmt::join(texts, ", "));
}

// Why a topology class cannot be had: which classes can, and whether the
// machine has it outside the CPUs this process may use.
std::string refusal(Placement placement, const std::vector<int>& allowed, const Topology& topology) {
  std::vector<int> all;
  for (const CpuTopology& t : topology.cpus()) all.push_back(t.cpu);
  if (first_pair(placement, all, topology))
    return fmt::format("placement {} is not available on the CPUs this process may use ({}; they offer: {})",
                       to_string(placement), fmt::join(allowed, ","), names(available_placements(topology, allowed)));
  return fmt::format("placement {} is not available here (this machine offers: {})", to_string(placement),
                     names(available_placements(topology, allowed)));
}

}  // namespace

std::optional<Placement> parse_placement(std::string_view text) noexcept {
  for (const Placement p : {Placement::split, Placement::same, Placement::none, Placement::smt, Placement::llc,
                            Placement::cross_llc, Placement::cross_node})
    if (text == to_string(p)) return p;
  return std::nullopt;
}

std::string_view to_string(Placement placement) noexcept {
  switch (placement) {
    case Placement::split: return "split";
    case Placement::same: return "same";
    case Placement::none: return "none";
    case Placement::smt: return "smt";
    case Placement::llc: return "llc";
    case Placement::cross_llc: return "cross_llc";
    case Placement::cross_node: return "cross_node";
  }
  return "unknown";
}

std::string_view describe(Placement placement) noexcept {
  switch (placement) {
    case Placement::split: return "two different CPUs";
    case Placement::same: return "both on one CPU";
    case Placement::none: return "not pinned";
    case Placement::smt: return "two hardware threads of one core";
    case Placement::llc: return "two cores sharing the last-level cache";
    case Placement::cross_llc: return "two last-level caches on one NUMA node";
    case Placement::cross_node: return "two NUMA nodes";
  }
  return "unknown";
}

std::optional<Placement> classify_pair(int a, int b, const Topology& topology) noexcept {
  if (a == b) return Placement::same;
  for (const Placement p : kTopologyClasses)
    if (is_pair_of(p, a, b, topology)) return p;
  return std::nullopt;
}

CpuAssignment assign_cpus(Placement placement, std::optional<std::pair<int, int>> chosen,
                          const std::vector<int>& allowed, const Topology& topology) {
  if (placement == Placement::none) return {};
  const auto is_allowed = [&](int cpu) { return std::ranges::find(allowed, cpu) != allowed.end(); };
  if (chosen) {
    const auto [a, b] = *chosen;
    for (const int cpu : {a, b}) {
      if (!is_allowed(cpu))
        throw Error(fmt::format("CPU {} is not one this process may use (allowed: {})", cpu, fmt::join(allowed, ",")));
    }
    if (placement == Placement::same) return {a, a};
    if (a == b)
      throw Error(fmt::format("placement {} needs two different CPUs, --cpus gave {},{}", to_string(placement), a, b));
    if (placement != Placement::split && !is_pair_of(placement, a, b, topology)) {
      const auto is = classify_pair(a, b, topology);
      const auto better = first_pair(placement, allowed, topology);
      throw Error(fmt::format("--cpus {},{} is not placement {} ({}): {}; {}", a, b, to_string(placement),
                              describe(placement),
                              is ? fmt::format("they are {} here", to_string(*is)) : std::string("their topology is unknown"),
                              better ? fmt::format("try --cpus {},{}", better->first, better->second)
                                     : refusal(placement, allowed, topology)));
    }
    return {a, b};
  }
  if (allowed.empty()) throw Error("no CPU is allowed for this process");
  if (placement == Placement::same) return {allowed[0], allowed[0]};
  if (placement == Placement::split) {
    if (allowed.size() < 2)
      throw Error(fmt::format("placement split needs two CPUs; this process may only use CPU {}", allowed[0]));
    return {allowed[0], allowed[1]};
  }
  const auto pair = first_pair(placement, allowed, topology);
  if (!pair) throw Error(refusal(placement, allowed, topology));
  return {pair->first, pair->second};
}

std::vector<Placement> available_placements(const Topology& topology, const std::vector<int>& allowed) {
  std::vector<Placement> available;
  if (!allowed.empty()) available.push_back(Placement::same);
  if (allowed.size() >= 2) available.push_back(Placement::split);
  available.push_back(Placement::none);
  for (const Placement p : kTopologyClasses)
    if (first_pair(p, allowed, topology)) available.push_back(p);
  return available;
}

}  // namespace ipc

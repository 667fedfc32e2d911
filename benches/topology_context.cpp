#include "topology_context.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <optional>

namespace ipc::bench {
namespace {

std::string known(const std::optional<int>& value) { return value ? fmt::format("{}", *value) : "?"; }

}  // namespace

std::string topology_context(const Topology& topology, const std::vector<int>& allowed) {
  std::vector<std::string> entries;
  for (const int cpu : allowed) {
    const CpuTopology* t = topology.find(cpu);
    entries.push_back(t ? fmt::format("{}:core={},llc={},node={}", cpu, known(t->core), known(t->llc), known(t->node))
                        : fmt::format("{}:core=?,llc=?,node=?", cpu));
  }
  return fmt::format("{}", fmt::join(entries, " "));
}

}  // namespace ipc::bench

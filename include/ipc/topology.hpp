#pragma once
// The CPU topology: which CPUs are hardware threads of one core, which share
// the last-level cache, which NUMA node each belongs to, as Linux describes it
// in sysfs or Windows in GetLogicalProcessorInformationEx.  A round trip
// between two CPUs costs what the hardware between them costs, so placement
// (placement.hpp) chooses CPU pairs from this.
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

namespace ipc {

// What is known about one CPU; std::nullopt means unknown (a file was missing
// or malformed).  A core or a cache is named by its lowest CPU, so two CPUs
// share one exactly when the values are equal.
struct CpuTopology {
  int cpu = 0;
  std::optional<int> package;  // physical_package_id
  std::optional<int> core;     // lowest CPU among this core's hardware threads
  std::optional<int> llc;      // lowest CPU sharing this CPU's last-level cache
  std::optional<int> node;     // NUMA node; the package when sysfs lists no NUMA node

  friend bool operator==(const CpuTopology&, const CpuTopology&) = default;
};

class Topology {
 public:
  Topology() = default;                              // nothing known
  explicit Topology(std::vector<CpuTopology> cpus);  // any order; one entry per CPU kept

  // This machine's topology; never throws for the machine's sake, what
  // cannot be read is unknown.
  //
  // Linux (linux/topology.cpp): read("/sys").
  // Windows (windows/topology.cpp): GetLogicalProcessorInformationEx
  // (RelationAll), processor group 0 only (see placement.hpp's CPU numbers):
  //   core: the lowest CPU of the RelationProcessorCore mask naming the CPU.
  //   llc:  the machine's highest cache level among CacheUnified and
  //     CacheData (RelationCache); the lowest CPU of that cache's mask.
  //   node: RelationNumaNode's NodeNumber; the package where none names the CPU.
  //   package: the RelationProcessorPackage entry's position (0, 1, ...):
  //     Windows numbers no packages.
  [[nodiscard]] static Topology read();

  // Reads <sysfs_root>/devices/system/cpu/cpuN/{topology,cache} and
  // <sysfs_root>/devices/system/node/nodeN/cpulist.  What is missing or
  // malformed is unknown: this never throws for the machine's sake.
  //
  // core: topology/core_cpus_list, else thread_siblings_list (older kernels),
  //   else CPUs with equal physical_package_id and core_id.
  // llc:  the machine's highest cache level among Unified and Data caches;
  //   each CPU's cache of that level, by its shared_cpu_list.
  // node: the nodeN/cpulist naming the CPU; if no node lists a CPU at all
  //   (no NUMA support, or a synthetic tree without it), the package instead.
  // Portable (a synthetic tree reads the same on Windows), topology.cpp.
  [[nodiscard]] static Topology read(const std::filesystem::path& sysfs_root);

  [[nodiscard]] const std::vector<CpuTopology>& cpus() const noexcept { return cpus_; }  // ascending
  [[nodiscard]] const CpuTopology* find(int cpu) const noexcept;                        // nullptr: unknown CPU

 private:
  std::vector<CpuTopology> cpus_;
};

// Linux's CPU list format: "0-3,8-11" -> 0,1,2,3,8,9,10,11; empty or white
// space only -> none.  std::nullopt for anything malformed, a descending
// range, or a CPU number above 65535 (more than Linux supports).
[[nodiscard]] std::optional<std::vector<int>> parse_cpu_list(std::string_view text);

}  // namespace ipc

// This machine's topology on Windows, from GetLogicalProcessorInformationEx
// (MSDN: "GetLogicalProcessorInformationEx function"); see topology.hpp.
// Linux: linux/topology.cpp.
#include <algorithm>
#include <bit>
#include <map>
#include <vector>

#include "ipc/topology.hpp"
#include "ipc/windows/win32.hpp"

namespace ipc {
namespace {

// The relations, one SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX after another,
// each Size bytes long; empty if the call fails.
std::vector<std::byte> processor_information() {
  DWORD size = 0;
  ::GetLogicalProcessorInformationEx(RelationAll, nullptr, &size);
  // The set of relations may grow between two calls (a CPU brought online).
  for (int attempt = 0; attempt < 3 && ::GetLastError() == ERROR_INSUFFICIENT_BUFFER; ++attempt) {
    std::vector<std::byte> buffer(size);
    if (::GetLogicalProcessorInformationEx(
            RelationAll, reinterpret_cast<SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX*>(buffer.data()), &size)) {
      buffer.resize(size);
      return buffer;
    }
  }
  return {};
}

// The CPUs of a mask in processor group 0; none for another group.
std::vector<int> group0_cpus(const GROUP_AFFINITY& mask) {
  std::vector<int> cpus;
  if (mask.Group != 0) return cpus;
  for (KAFFINITY bits = mask.Mask; bits != 0; bits &= bits - 1) cpus.push_back(std::countr_zero(bits));
  return cpus;
}

std::optional<int> lowest(const std::vector<int>& cpus) {
  if (cpus.empty()) return std::nullopt;
  return std::ranges::min(cpus);
}

}  // namespace

Topology Topology::read() {
  const std::vector<std::byte> info = processor_information();
  std::map<int, CpuTopology> by_cpu;  // every CPU of group 0 that an entry names
  struct Cache {
    int level;
    std::vector<int> cpus;
  };
  std::vector<Cache> caches;
  std::map<int, int> node_of;
  int packages = 0;
  constexpr std::size_t kHeader = sizeof(LOGICAL_PROCESSOR_RELATIONSHIP) + sizeof(DWORD);  // Relationship, Size
  for (std::size_t at = 0; at + kHeader <= info.size();) {
    const auto& entry = *reinterpret_cast<const SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX*>(info.data() + at);
    if (entry.Size == 0 || at + entry.Size > info.size()) break;
    at += entry.Size;
    switch (entry.Relationship) {
      case RelationProcessorCore:
        // A core lies in one group: GroupCount is 1.
        for (WORD g = 0; g < entry.Processor.GroupCount; ++g) {
          const std::vector<int> cpus = group0_cpus(entry.Processor.GroupMask[g]);
          for (const int cpu : cpus) {
            by_cpu[cpu].cpu = cpu;
            by_cpu[cpu].core = lowest(cpus);
          }
        }
        break;
      case RelationProcessorPackage: {
        // Numbered by position: Windows gives a package no number.
        for (WORD g = 0; g < entry.Processor.GroupCount; ++g)
          for (const int cpu : group0_cpus(entry.Processor.GroupMask[g])) by_cpu[cpu].package = packages;
        ++packages;
        break;
      }
      case RelationCache:
        // An instruction cache is never shared with another core's data.
        if (entry.Cache.Type == CacheUnified || entry.Cache.Type == CacheData)
          caches.push_back({entry.Cache.Level, group0_cpus(entry.Cache.GroupMask)});
        break;
      case RelationNumaNode:
        for (const int cpu : group0_cpus(entry.NumaNode.GroupMask))
          node_of.try_emplace(cpu, static_cast<int>(entry.NumaNode.NodeNumber));
        break;
      default:
        break;
    }
  }

  // One level for the whole machine, as on Linux: never one CPU's L3
  // against another's L2.
  int llc_level = 0;
  for (const Cache& cache : caches) llc_level = std::max(llc_level, cache.level);
  for (const Cache& cache : caches) {
    if (cache.level != llc_level) continue;
    for (const int cpu : cache.cpus)
      if (const auto it = by_cpu.find(cpu); it != by_cpu.end() && !it->second.llc) it->second.llc = lowest(cache.cpus);
  }

  std::vector<CpuTopology> cpus;
  for (auto& [cpu, t] : by_cpu) {
    // A CPU named only by a package entry has no core entry: unknown to the
    // core relation, but still a CPU.
    t.cpu = cpu;
    if (node_of.empty()) {
      t.node = t.package;
    } else if (const auto it = node_of.find(cpu); it != node_of.end()) {
      t.node = it->second;
    }
    cpus.push_back(t);
  }
  return Topology(std::move(cpus));
}

}  // namespace ipc

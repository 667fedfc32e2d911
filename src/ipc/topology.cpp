#include "ipc/topology.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <string>
#include <system_error>
#include <utility>

#include "text_file.hpp"

namespace ipc {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxCpu = 65535;

std::optional<int> parse_number(std::string_view text) {
  if (text.empty() || text.front() < '0' || text.front() > '9') return std::nullopt;
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::vector<int>> read_cpu_list(const fs::path& file) {
  const auto text = detail::read_text(file);
  if (!text) return std::nullopt;
  return parse_cpu_list(*text);
}

// N of every entry "<prefix>N" in `dir`, ascending; none if `dir` is unreadable.
std::vector<int> numbered_entries(const fs::path& dir, std::string_view prefix) {
  std::vector<int> numbers;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with(prefix)) continue;
    if (const auto n = parse_number(std::string_view(name).substr(prefix.size())); n && *n <= kMaxCpu)
      numbers.push_back(*n);
  }
  std::ranges::sort(numbers);
  return numbers;
}

// The lowest CPU of `list` if it contains `cpu`; a list without the CPU it
// describes is inconsistent, so unknown.
std::optional<int> group_name(const std::optional<std::vector<int>>& list, int cpu) {
  if (!list || std::ranges::find(*list, cpu) == list->end()) return std::nullopt;
  return std::ranges::min(*list);
}

struct Cache {
  int level;
  fs::path dir;
};

// The CPU's caches that can be a last-level cache: Unified or Data (an
// Instruction cache is never shared with another core's data).
std::vector<Cache> data_caches(const fs::path& cpu_dir) {
  std::vector<Cache> caches;
  for (const int index : numbered_entries(cpu_dir / "cache", "index")) {
    const fs::path dir = cpu_dir / "cache" / fmt::format("index{}", index);
    const auto level = detail::read_int(dir / "level");
    const auto type = detail::read_line(dir / "type");
    if (level && type && (*type == "Unified" || *type == "Data")) caches.push_back({*level, dir});
  }
  return caches;
}

}  // namespace

std::optional<std::vector<int>> parse_cpu_list(std::string_view text) {
  std::vector<int> cpus;
  text = detail::trim(text);
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    const auto dash = item.find('-');
    const auto first = parse_number(item.substr(0, dash));
    const auto last = dash == std::string_view::npos ? first : parse_number(item.substr(dash + 1));
    if (!first || !last || *first > *last || *last > kMaxCpu) return std::nullopt;
    for (int cpu = *first; cpu <= *last; ++cpu) cpus.push_back(cpu);
    if (comma != std::string_view::npos && text.empty()) return std::nullopt;  // trailing comma
  }
  std::ranges::sort(cpus);
  // std::unique, not std::ranges::unique: clang 14 (the fuzz build) cannot
  // use the subrange that libstdc++ 12's ranges algorithms return.
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  return cpus;
}

Topology::Topology(std::vector<CpuTopology> cpus) : cpus_(std::move(cpus)) {
  std::ranges::stable_sort(cpus_, {}, &CpuTopology::cpu);
  const auto same_cpu = [](const CpuTopology& a, const CpuTopology& b) { return a.cpu == b.cpu; };
  cpus_.erase(std::unique(cpus_.begin(), cpus_.end(), same_cpu), cpus_.end());
}

const CpuTopology* Topology::find(int cpu) const noexcept {
  const auto it = std::ranges::lower_bound(cpus_, cpu, {}, &CpuTopology::cpu);
  return it != cpus_.end() && it->cpu == cpu ? &*it : nullptr;
}

Topology Topology::read(const fs::path& sysfs_root) {
  const fs::path cpu_root = sysfs_root / "devices/system/cpu";
  const std::vector<int> numbers = numbered_entries(cpu_root, "cpu");

  std::vector<CpuTopology> cpus;
  std::vector<std::optional<int>> core_ids;
  std::vector<std::vector<Cache>> caches;
  for (const int cpu : numbers) {
    const fs::path dir = cpu_root / fmt::format("cpu{}", cpu);
    CpuTopology t;
    t.cpu = cpu;
    t.package = detail::read_int(dir / "topology/physical_package_id");
    auto siblings = read_cpu_list(dir / "topology/core_cpus_list");
    if (!siblings) siblings = read_cpu_list(dir / "topology/thread_siblings_list");
    t.core = group_name(siblings, cpu);
    cpus.push_back(t);
    core_ids.push_back(detail::read_int(dir / "topology/core_id"));
    caches.push_back(data_caches(dir));
  }

  // Without sibling lists, a core is the CPUs with one (package, core_id):
  // core_id alone repeats in every package.
  std::map<std::pair<int, int>, int> lowest_cpu_of_core;
  for (std::size_t i = 0; i < cpus.size(); ++i) {
    if (cpus[i].package && core_ids[i]) lowest_cpu_of_core.try_emplace({*cpus[i].package, *core_ids[i]}, cpus[i].cpu);
  }
  for (std::size_t i = 0; i < cpus.size(); ++i) {
    if (!cpus[i].core && cpus[i].package && core_ids[i]) cpus[i].core = lowest_cpu_of_core.at({*cpus[i].package, *core_ids[i]});
  }

  // One level for the whole machine, so that an L3 is never compared with
  // another CPU's L2 when one CPU's L3 directory is missing.
  int llc_level = 0;
  for (const auto& list : caches)
    for (const Cache& cache : list) llc_level = std::max(llc_level, cache.level);
  for (std::size_t i = 0; i < cpus.size(); ++i) {
    for (const Cache& cache : caches[i]) {
      if (cache.level != llc_level) continue;
      cpus[i].llc = group_name(read_cpu_list(cache.dir / "shared_cpu_list"), cpus[i].cpu);
      if (cpus[i].llc) break;
    }
  }

  const fs::path node_root = sysfs_root / "devices/system/node";
  std::map<int, int> node_of;
  for (const int node : numbered_entries(node_root, "node")) {
    const auto list = read_cpu_list(node_root / fmt::format("node{}", node) / "cpulist");
    if (list)
      for (const int cpu : *list) node_of.try_emplace(cpu, node);
  }
  for (CpuTopology& t : cpus) {
    if (node_of.empty()) {
      t.node = t.package;
    } else if (const auto it = node_of.find(t.cpu); it != node_of.end()) {
      t.node = it->second;
    }
  }
  return Topology(std::move(cpus));
}

}  // namespace ipc

// machine_cautions on Linux, from /proc and /sys (caution.hpp).  Windows:
// windows/caution.cpp.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "caution.hpp"

namespace ipc::bench {
namespace {

std::string first_line(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

struct ThreadSample {
  int pid = 0;
  std::string comm;
  unsigned long long ticks = 0;  // utime + stime
  int processor = -1;            // the CPU it last ran on
};

// Every thread of every process but this one, from /proc/<pid>/task/<tid>/stat.
std::map<long, ThreadSample> sample_threads() {
  std::map<long, ThreadSample> threads;
  const int self = ::getpid();
  std::error_code ec;
  for (const auto& process : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string pid_text = process.path().filename();
    if (pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
    const int pid = std::stoi(pid_text);
    if (pid == self) continue;
    std::error_code task_ec;
    for (const auto& task : std::filesystem::directory_iterator(process.path() / "task", task_ec)) {
      const std::string text = first_line(task.path() / "stat");
      const auto open = text.find('('), close = text.rfind(')');
      if (open == std::string::npos || close == std::string::npos || close < open) continue;
      std::istringstream fields(text.substr(close + 2));
      std::vector<std::string> f;
      for (std::string word; fields >> word;) f.push_back(word);
      // f[0] is field 3 (state): utime 14, stime 15, processor 39.
      if (f.size() < 37) continue;
      ThreadSample sample{pid, text.substr(open + 1, close - open - 1), 0, -1};
      try {
        sample.ticks = std::stoull(f[11]) + std::stoull(f[12]);
        sample.processor = std::stoi(f[36]);
      } catch (const std::exception&) {
        continue;
      }
      threads.emplace(std::stol(task.path().filename()), std::move(sample));
    }
  }
  return threads;
}

}  // namespace

std::vector<std::string> machine_cautions(const std::set<int>& cpus, std::size_t allowed_cpus, const Topology& topology,
                                          bool check_load) {
  std::vector<std::string> causes;
  if (check_load) {
    double load = 0;
    if (std::istringstream(first_line("/proc/loadavg")) >> load; load >= static_cast<double>(allowed_cpus))
      causes.push_back(fmt::format("load average {:.2f} with {} CPU{} allowed: other work competes for the CPUs", load,
                                   allowed_cpus, allowed_cpus == 1 ? "" : "s"));
  }
  // SMT siblings of the pinned CPUs: a busy sibling shares the core's
  // execution units and caches.
  std::set<int> siblings;
  for (const int cpu : cpus) {
    const CpuTopology* t = topology.find(cpu);
    if (!t || !t->core) continue;
    for (const CpuTopology& other : topology.cpus())
      if (other.core == t->core && !cpus.contains(other.cpu)) siblings.insert(other.cpu);
  }
  // Who used a quarter of a CPU or more over a quarter of a second, and ran
  // last on one of those CPUs.
  constexpr auto kWindow = std::chrono::milliseconds(250);
  const auto before = sample_threads();
  std::this_thread::sleep_for(kWindow);
  const auto after = sample_threads();
  const double window_ticks = static_cast<double>(::sysconf(_SC_CLK_TCK)) * 0.25;
  using Busy = std::map<std::pair<int, std::string>, std::set<int>>;  // (pid, name) -> CPUs
  Busy busy_on_pinned, busy_on_sibling;
  for (const auto& [tid, now] : after) {
    const auto then = before.find(tid);
    const unsigned long long used = now.ticks - (then == before.end() ? now.ticks : then->second.ticks);
    if (static_cast<double>(used) < 0.25 * window_ticks) continue;
    if (cpus.contains(now.processor)) busy_on_pinned[{now.pid, now.comm}].insert(now.processor);
    if (siblings.contains(now.processor)) busy_on_sibling[{now.pid, now.comm}].insert(now.processor);
  }
  // One cause each, naming every process: "sh (pid 12) on CPU 0, ...".
  const auto named = [](const Busy& busy) {
    std::vector<std::string> names;
    for (const auto& [process, on] : busy)
      names.push_back(fmt::format("{}{} (pid {}) on CPU {}", process.second == "ipc_bench" ? "another " : "",
                                  process.second, process.first, fmt::join(on, ",")));
    return fmt::format("{}", fmt::join(names, ", "));
  };
  if (!busy_on_pinned.empty())
    causes.push_back(fmt::format("other processes busy on the CPUs this run uses: {}", named(busy_on_pinned)));
  if (!busy_on_sibling.empty())
    causes.push_back(fmt::format("other processes busy on SMT siblings of the CPUs this run uses: {}",
                                 named(busy_on_sibling)));
  for (const int cpu : cpus) {
    const std::string governor =
        first_line(fmt::format("/sys/devices/system/cpu/cpu{}/cpufreq/scaling_governor", cpu));
    if (!governor.empty() && governor != "performance")
      causes.push_back(fmt::format("CPU frequency governor {} on CPU {} (performance holds the clock steady)", governor,
                                   cpu));
  }
#if defined(__x86_64__) || defined(__i386__)
  // On x86 only: elsewhere the architecture's own counter is the right one.
  const std::string clocksource = first_line("/sys/devices/system/clocksource/clocksource0/current_clocksource");
  if (!clocksource.empty() && clocksource != "tsc")
    causes.push_back(fmt::format("clock source {}, not tsc: reading the time costs more and varies", clocksource));
#endif
  return causes;
}

}  // namespace ipc::bench

#include "floor_fingerprint.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>
#include <system_error>

#include "text_file.hpp"

namespace ipc::detail {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kUnknown = "unknown";

std::optional<std::string> nonempty_line(const fs::path& file) {
  auto line = read_line(file);
  if (!line || line->empty()) return std::nullopt;
  return line;
}

// The first "microcode : 0x..." of /proc/cpuinfo (every CPU of a machine
// normally runs the same revision).
std::string microcode(const std::string* cpuinfo) {
  if (!cpuinfo) return std::string(kUnknown);
  std::string_view rest(*cpuinfo);
  while (!rest.empty()) {
    const auto newline = rest.find('\n');
    const std::string_view line = rest.substr(0, newline);
    rest = newline == std::string_view::npos ? std::string_view{} : rest.substr(newline + 1);
    const auto colon = line.find(':');
    if (colon != std::string_view::npos && trim(line.substr(0, colon)) == "microcode") {
      const std::string_view value = trim(line.substr(colon + 1));
      if (!value.empty()) return std::string(value);
    }
  }
  return std::string(kUnknown);
}

// "SeaBIOS 1.16.2-debian-1.16.2-1 (04/01/2014)" from DMI.
std::string bios(const fs::path& root) {
  const fs::path dmi = root / "sys/class/dmi/id";
  const auto version = nonempty_line(dmi / "bios_version");
  if (!version) return std::string(kUnknown);
  const auto vendor = nonempty_line(dmi / "bios_vendor");
  const auto date = nonempty_line(dmi / "bios_date");
  return fmt::format("{}{}{}", vendor ? *vendor + " " : "", *version, date ? fmt::format(" ({})", *date) : "");
}

// The model in force: debugfs's sched/preempt marks it "(voluntary)" where
// the kernel can switch (PREEMPT_DYNAMIC); otherwise what the build says in
// the kernel's version string.
std::string preemption(const fs::path& root) {
  if (const auto modes = nonempty_line(root / "sys/kernel/debug/sched/preempt")) {
    const auto open = modes->find('('), close = modes->find(')');
    if (open != std::string::npos && close > open) return modes->substr(open + 1, close - open - 1) + " (dynamic)";
  }
  const auto version = nonempty_line(root / "proc/sys/kernel/version");
  if (!version) return std::string(kUnknown);
  const std::string v = " " + *version + " ";
  if (v.find(" PREEMPT_RT ") != std::string::npos) return "rt";
  if (v.find(" PREEMPT_DYNAMIC ") != std::string::npos)
    return "dynamic (the mode in force is in debugfs: sys/kernel/debug/sched/preempt)";
  if (v.find(" PREEMPT ") != std::string::npos) return "full";
  return "none or voluntary (the build does not say which)";
}

// "haltpoll: poll 0 us, haltpoll 1 us (disabled)": cpu0's idle states with
// their exit latencies, "none" where the machine has no cpuidle.
std::string cpuidle(const fs::path& root) {
  const fs::path cpu = root / "sys/devices/system/cpu";
  const auto driver = nonempty_line(cpu / "cpuidle/current_driver");
  std::vector<std::string> states;
  for (int i = 0;; ++i) {
    const fs::path state = cpu / fmt::format("cpu0/cpuidle/state{}", i);
    const auto name = nonempty_line(state / "name");
    if (!name) break;
    const auto latency = nonempty_line(state / "latency");
    const bool disabled = read_line(state / "disable") == "1";
    states.push_back(fmt::format("{} {} us{}", *name, latency.value_or("?"), disabled ? " (disabled)" : ""));
  }
  if (driver == "none" && states.empty()) return "none";
  if (!driver && states.empty()) {
    std::error_code ec;
    return fs::exists(cpu, ec) ? "none" : std::string(kUnknown);
  }
  return fmt::format("{}: {}", driver.value_or("unknown driver"), states.empty() ? "no states" : fmt::format("{}", fmt::join(states, ", ")));
}

// The word in brackets of "always [madvise] never".
std::string transparent_hugepages(const fs::path& root) {
  const auto line = nonempty_line(root / "sys/kernel/mm/transparent_hugepage/enabled");
  if (!line) return std::string(kUnknown);
  const auto open = line->find('['), close = line->find(']');
  if (open == std::string::npos || close < open) return *line;
  return line->substr(open + 1, close - open - 1);
}

// "sched_autogroup_enabled=1 sched_child_runs_first=0 ...": every
// kernel.sched_* sysctl this kernel exposes, sorted by name.
std::string sched_settings(const fs::path& root) {
  std::vector<std::string> settings;
  std::error_code ec;
  for (fs::directory_iterator it(root / "proc/sys/kernel", ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with("sched_")) continue;
    if (const auto value = nonempty_line(it->path())) settings.push_back(fmt::format("{}={}", name, *value));
  }
  if (settings.empty()) return std::string(kUnknown);
  std::ranges::sort(settings);
  return fmt::format("{}", fmt::join(settings, " "));
}

}  // namespace

std::vector<std::pair<std::string, std::string>> floor_fingerprint(const fs::path& root, const std::string* cpuinfo) {
  return {
      {"microcode", microcode(cpuinfo)},
      {"bios", bios(root)},
      {"preemption", preemption(root)},
      {"cpuidle", cpuidle(root)},
      {"transparent_hugepages", transparent_hugepages(root)},
      {"sched_settings", sched_settings(root)},
  };
}

}  // namespace ipc::detail

#include "ipc/fingerprint.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/utsname.h>

#include <algorithm>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

#include "compiler_name.hpp"
#include "cpuid.hpp"
#include "floor_fingerprint.hpp"
#include "text_file.hpp"

namespace ipc {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kUnknown = "unknown";

// A present, non-empty first line, or "unknown".
std::string line_or_unknown(const fs::path& file) {
  const auto line = detail::read_line(file);
  return line && !line->empty() ? *line : std::string(kUnknown);
}

// The value of the first "<key> : value" line of /proc/cpuinfo.
std::optional<std::string> cpuinfo_field(const std::string& cpuinfo, std::string_view key) {
  std::string_view rest(cpuinfo);
  while (!rest.empty()) {
    const auto newline = rest.find('\n');
    const std::string_view line = rest.substr(0, newline);
    rest = newline == std::string_view::npos ? std::string_view{} : rest.substr(newline + 1);
    const auto colon = line.find(':');
    if (colon != std::string_view::npos && detail::trim(line.substr(0, colon)) == key)
      return std::string(detail::trim(line.substr(colon + 1)));
  }
  return std::nullopt;
}

bool is_root(const fs::path& root) {
  std::error_code ec;
  return fs::equivalent(root, "/", ec);
}

std::string cpu_model(const std::optional<std::string>& cpuinfo) {
  const auto model = cpuinfo ? cpuinfo_field(*cpuinfo, "model name") : std::nullopt;
  return model && !model->empty() ? *model : std::string(kUnknown);
}

std::string kernel(const fs::path& root) {
  if (is_root(root)) {
    utsname name{};
    if (::uname(&name) != 0) return std::string(kUnknown);
    return fmt::format("{} {}", name.sysname, name.release);
  }
  // Another root describes another machine (or a test's tree): its files, not uname.
  const auto release = detail::read_line(root / "proc/sys/kernel/osrelease");
  if (!release || release->empty()) return std::string(kUnknown);
  const auto type = detail::read_line(root / "proc/sys/kernel/ostype");
  return type && !type->empty() ? fmt::format("{} {}", *type, *release) : *release;
}

std::string smt(const fs::path& cpu_dir) {
  const auto control = detail::read_line(cpu_dir / "smt/control");
  if (control == "on") return "on";
  if (control == "off" || control == "forceoff") return "off";
  // "notsupported", "notimplemented" or no file: whether sibling threads run.
  const auto active = detail::read_line(cpu_dir / "smt/active");
  if (active == "1") return "on";
  if (active == "0") return "off";
  return std::string(kUnknown);
}

std::string isolcpus(const fs::path& cpu_dir) {
  const auto isolated = detail::read_line(cpu_dir / "isolated");
  if (!isolated) return std::string(kUnknown);
  return isolated->empty() ? "none" : *isolated;
}

// The kernel's words: "Not affected", "Mitigation: ...", "Vulnerable...",
// the last two also behind "KVM: " (itlb_multihit), and "Unknown: ...".
std::string mitigations(const fs::path& dir) {
  std::vector<std::string> vulnerable;
  int mitigated = 0, not_affected = 0, other = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto line = detail::read_line(it->path());
    if (!line) continue;
    std::string_view state(*line);
    if (state.starts_with("KVM: ")) state.remove_prefix(5);
    if (state.starts_with("Not affected")) {
      ++not_affected;
    } else if (state.starts_with("Mitigation")) {
      ++mitigated;
    } else if (state.starts_with("Vulnerable")) {
      vulnerable.push_back(it->path().filename().string());
    } else {
      ++other;
    }
  }
  if (mitigated + not_affected + other == 0 && vulnerable.empty()) return std::string(kUnknown);
  std::ranges::sort(vulnerable);  // directory order is arbitrary
  std::string summary = fmt::format("{} mitigated, {} vulnerable", mitigated, vulnerable.size());
  if (!vulnerable.empty()) summary += fmt::format(" ({})", fmt::join(vulnerable, ", "));
  summary += fmt::format(", {} not affected", not_affected);
  if (other > 0) summary += fmt::format(", {} unknown", other);
  return summary;
}

std::string virtualization(const fs::path& root, const std::optional<std::string>& cpuinfo) {
  // This machine: CPUID where there is one (x86).
  if (is_root(root))
    if (auto hypervisor = detail::cpuid_hypervisor()) return std::move(*hypervisor);
  if (const auto type = detail::read_line(root / "sys/hypervisor/type"); type && !type->empty()) return *type;
  const auto flags = cpuinfo ? cpuinfo_field(*cpuinfo, "flags") : std::nullopt;
  if (!flags) return std::string(kUnknown);
  return (" " + *flags + " ").find(" hypervisor ") != std::string::npos ? "other" : "none";
}

}  // namespace

std::vector<std::pair<std::string, std::string>> machine_fingerprint(const fs::path& root) {
  const fs::path cpu_dir = root / "sys/devices/system/cpu";
  const auto cpuinfo = detail::read_text(root / "proc/cpuinfo");
  std::vector<std::pair<std::string, std::string>> entries{
      {"cpu_model", cpu_model(cpuinfo)},
      {"kernel", kernel(root)},
      {"clocksource", line_or_unknown(root / "sys/devices/system/clocksource/clocksource0/current_clocksource")},
      {"governor", line_or_unknown(cpu_dir / "cpu0/cpufreq/scaling_governor")},
      {"smt", smt(cpu_dir)},
      {"isolcpus", isolcpus(cpu_dir)},
      {"mitigations", mitigations(cpu_dir / "vulnerabilities")},
      {"virtualization", virtualization(root, cpuinfo)},
      {"compiler", detail::compiler_name()},
  };
  for (auto& entry : detail::floor_fingerprint(root, cpuinfo ? &*cpuinfo : nullptr)) entries.push_back(std::move(entry));
  return entries;
}

}  // namespace ipc

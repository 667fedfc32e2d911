// The Linux half of noise.hpp: steal time from /proc/stat (proc(5)).
// Windows: windows/noise.cpp.
#include <unistd.h>

#include <charconv>
#include <string>
#include <string_view>

#include "ipc/noise.hpp"
#include "text_file.hpp"

namespace ipc {

std::optional<std::uint64_t> steal_ns(int cpu) noexcept {
  try {
    if (cpu < 0) return std::nullopt;
    const long ticks_per_second = ::sysconf(_SC_CLK_TCK);
    if (ticks_per_second <= 0) return std::nullopt;
    const std::optional<std::string> stat = detail::read_text("/proc/stat");
    if (!stat) return std::nullopt;
    // "cpuN user nice system idle iowait irq softirq steal guest guest_nice"
    const std::string label = "cpu" + std::to_string(cpu) + " ";
    std::string_view text = *stat;
    std::size_t at = text.starts_with(label) ? 0 : text.find("\n" + label);
    if (at == std::string_view::npos) return std::nullopt;
    if (at != 0) ++at;
    text = text.substr(at + label.size());
    text = text.substr(0, text.find('\n'));
    std::uint64_t value = 0;
    for (int field = 1; field <= 8; ++field) {
      text = text.substr(std::min(text.find_first_not_of(' '), text.size()));
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (error != std::errc{}) return std::nullopt;
      text = text.substr(static_cast<std::size_t>(end - text.data()));
    }
    // Whole seconds first: value * 1e9 would overflow 64 bits from 1.8e10 ticks on.
    const auto hz = static_cast<std::uint64_t>(ticks_per_second);
    return value / hz * 1'000'000'000u + value % hz * 1'000'000'000u / hz;
  } catch (...) {
    // Only an allocation can throw above; "unknown" is the answer then.
    return std::nullopt;
  }
}

}  // namespace ipc

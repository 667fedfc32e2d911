// What both platforms share of side_counters.hpp.
#include "ipc/side_counters.hpp"

namespace ipc {

std::string_view side_event_name(SideEvent event) noexcept {
  switch (event) {
    case SideEvent::syscalls: return "syscalls";
    case SideEvent::rw_calls: return "rw_calls";
    case SideEvent::switches: return "switches";
    case SideEvent::involuntary_switches: return "involuntary_switches";
    case SideEvent::migrations: return "migrations";
    case SideEvent::page_faults: return "page_faults";
    case SideEvent::cpu_ns: return "cpu_ns";
  }
  return "unknown";
}

SideCounts difference(const SideCounts& before, const SideCounts& after) noexcept {
  SideCounts d;
  for (std::size_t i = 0; i < kSideEvents; ++i) {
    if (before.value[i] && after.value[i] && *after.value[i] >= *before.value[i])
      d.value[i] = *after.value[i] - *before.value[i];
  }
  return d;
}

}  // namespace ipc

// TickClock on Windows (see tick_clock.hpp): the invariant TSC from CPUID,
// calibrated against QueryPerformanceCounter (through steady_clock), else
// steady_clock itself.  Linux: tick_clock.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "../cpuid.hpp"
#include "ipc/tick_clock.hpp"
#include "ipc/windows/win32.hpp"

namespace ipc {
namespace {

// "QueryPerformanceCounter (10 MHz)": the fallback's own resolution.
// QueryPerformanceFrequency (MSDN: "QueryPerformanceFrequency function")
// never fails on Windows XP and later.
std::string qpc_description() {
  LARGE_INTEGER frequency{};
  ::QueryPerformanceFrequency(&frequency);
  return fmt::format("QueryPerformanceCounter ({:g} MHz)", static_cast<double>(frequency.QuadPart) / 1e6);
}

}  // namespace

const TickClock& TickClock::instance() {
  static const TickClock clock;
  return clock;
}

TickClock::TickClock() {
  description_ = qpc_description();
  // IPC_BENCH_CLOCK=monotonic: what a machine without a usable TSC does,
  // so that its cost can be measured on one that has one (--timing-cost).
  if (const char* forced = std::getenv("IPC_BENCH_CLOCK"); forced && std::string_view(forced) == "monotonic") {
    description_ += " (IPC_BENCH_CLOCK=monotonic)";
    return;
  }
#ifdef IPC_HAVE_TSC
  // Windows names no clocksource: an invariant TSC is the whole condition
  // (Windows itself bases QueryPerformanceCounter on it then).
  if (!detail::cpuid_invariant_tsc()) return;
  calibrate_tsc("QueryPerformanceCounter");
#endif
}

}  // namespace ipc

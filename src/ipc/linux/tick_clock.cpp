#include "ipc/tick_clock.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <string_view>
#include <fstream>
#include <sstream>

namespace ipc {
namespace {

std::string first_line(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

bool tsc_is_invariant() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (!line.starts_with("flags")) continue;
    std::istringstream words(line);
    bool constant = false, nonstop = false;
    for (std::string word; words >> word;) {
      constant = constant || word == "constant_tsc";
      nonstop = nonstop || word == "nonstop_tsc";
    }
    return constant && nonstop;
  }
  return false;
}

}  // namespace

const TickClock& TickClock::instance() {
  static const TickClock clock;
  return clock;
}

TickClock::TickClock() {
  description_ = "clock_gettime(CLOCK_MONOTONIC)";
  // IPC_BENCH_CLOCK=monotonic: what a machine without a usable TSC does,
  // so that its cost can be measured on one that has one (--timing-cost).
  if (const char* forced = std::getenv("IPC_BENCH_CLOCK"); forced && std::string_view(forced) == "monotonic") {
    description_ += " (IPC_BENCH_CLOCK=monotonic)";
    return;
  }
#ifdef IPC_HAVE_TSC
  if (!tsc_is_invariant() || first_line("/sys/devices/system/clocksource/clocksource0/current_clocksource") != "tsc")
    return;
  calibrate_tsc("CLOCK_MONOTONIC");
#endif
}

}  // namespace ipc

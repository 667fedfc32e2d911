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
  use_tsc_ = true;
  timespec ts;
  const auto monotonic_ns = [&ts] {
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
  };
  const std::uint64_t t0 = monotonic_ns(), c0 = now();
  std::uint64_t t1;
  while ((t1 = monotonic_ns()) - t0 < 50'000'000u) {
  }
  const std::uint64_t c1 = now();
  ticks_per_ns_ = static_cast<double>(c1 - c0) / static_cast<double>(t1 - t0);
  // Under a hypervisor the TSC may advance in steps (26 ticks, 10 ns, on the
  // development VM): the finest difference two samples can show.
  std::uint64_t step = UINT64_MAX;
  for (std::uint64_t previous = now(), i = 0; i < 1000; ++i) {
    const std::uint64_t t = now();
    if (t != previous) step = std::min(step, t - previous);
    previous = t;
  }
  description_ = fmt::format("tsc ({:.3f} GHz, calibrated against CLOCK_MONOTONIC, resolution {:.1f} ns)",
                             ticks_per_ns_, static_cast<double>(step) / ticks_per_ns_);
#endif
}

}  // namespace ipc

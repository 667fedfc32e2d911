// The TSC's rate, measured against the platform's monotonic clock: the
// part of TickClock's set-up both platforms share (tick_clock.cpp,
// windows/tick_clock.cpp choose whether the TSC is usable).
#include <fmt/format.h>

#include <algorithm>

#include "ipc/tick_clock.hpp"

namespace ipc {

void TickClock::calibrate_tsc([[maybe_unused]] const char* reference) {
#ifdef IPC_HAVE_TSC
  use_tsc_ = true;
  const std::uint64_t t0 = fallback_ns(), c0 = now();
  std::uint64_t t1;
  while ((t1 = fallback_ns()) - t0 < 50'000'000u) {
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
  description_ = fmt::format("tsc ({:.3f} GHz, calibrated against {}, resolution {:.1f} ns)", ticks_per_ns_, reference,
                             static_cast<double>(step) / ticks_per_ns_);
#endif
}

}  // namespace ipc

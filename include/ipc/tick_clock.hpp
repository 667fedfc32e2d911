#pragma once
// TickClock: the timer for per-round-trip samples.
//
// The TSC when it is invariant (constant_tsc and nonstop_tsc: it ticks at a
// fixed rate in every power state) and the kernel trusts it as clocksource;
// otherwise CLOCK_MONOTONIC.  A TSC read costs ~9 ns on the development VM,
// clock_gettime ~21 ns, so samples use the TSC where they can.  The TSC is
// calibrated once against CLOCK_MONOTONIC over 50 ms.
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define IPC_HAVE_TSC 1
#endif

namespace ipc {

class TickClock {
 public:
  // The process-wide clock, chosen and calibrated on first use.
  static const TickClock& instance();

  [[nodiscard]] std::uint64_t now() const noexcept {
#ifdef IPC_HAVE_TSC
    if (use_tsc_) {
      // lfence on both sides: the read is neither hoisted into the previous
      // round trip nor overtaken by the next one.
      _mm_lfence();
      const std::uint64_t t = __rdtsc();
      _mm_lfence();
      return t;
    }
#endif
    timespec ts;
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
  }

  [[nodiscard]] double ticks_per_ns() const noexcept { return ticks_per_ns_; }
  // For the JSON context: "tsc (2.595 GHz, calibrated against CLOCK_MONOTONIC)".
  [[nodiscard]] const std::string& description() const noexcept { return description_; }

 private:
  TickClock();
  bool use_tsc_ = false;
  double ticks_per_ns_ = 1.0;
  std::string description_;
};

}  // namespace ipc

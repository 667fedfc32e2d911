#pragma once
// TickClock: the timer for per-round-trip samples.
//
// The TSC when it is invariant (constant_tsc and nonstop_tsc: it ticks at a
// fixed rate in every power state) and the kernel trusts it as clocksource;
// otherwise CLOCK_MONOTONIC through clock_gettime (the vDSO where the
// clocksource allows it, else a system call).  The TSC is calibrated once
// against CLOCK_MONOTONIC over 50 ms.  IPC_BENCH_CLOCK=monotonic in the
// environment forces clock_gettime, to measure what a machine without a
// usable TSC pays.
//
// Windows (windows/tick_clock.cpp): the TSC when CPUID says it is invariant
// (leaf 0x80000007 EDX bit 8; Windows has no clocksource to ask), calibrated
// against QueryPerformanceCounter over 50 ms; otherwise
// std::chrono::steady_clock, which libstdc++ reads through winpthreads'
// clock_gettime(CLOCK_MONOTONIC), i.e. QueryPerformanceCounter.
// IPC_BENCH_CLOCK=monotonic forces steady_clock there too.  Values are in
// ticks: TSC ticks, or nanoseconds for the fallback (ticks_per_ns() == 1).
//
// Two reads: now() is fenced (lfence on both sides), for a time taken
// outside a loop; stamp() is the bare rdtsc that the timed loop takes once
// per round trip.  On the development VM rdtsc costs ~14 ns, lfence;rdtsc
// ~33 ns, clock_gettime ~43 ns.  stamp() may execute a few instructions
// early or late, but the loop chains its stamps (each sample ends where the
// next begins), so such a shift moves time between two neighbouring samples
// and never adds to or removes from their sum, the batch's mean.
#include <cstdint>
#include <chrono>
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
    return fallback_ns();
  }

  // The timed loop's clock read: a bare rdtsc, or the fallback without a usable TSC.
  [[nodiscard]] std::uint64_t stamp() const noexcept {
#ifdef IPC_HAVE_TSC
    if (use_tsc_) return __rdtsc();
#endif
    return fallback_ns();
  }

  [[nodiscard]] bool uses_tsc() const noexcept { return use_tsc_; }
  [[nodiscard]] double ticks_per_ns() const noexcept { return ticks_per_ns_; }
  // For the JSON context: "tsc (2.595 GHz, calibrated against CLOCK_MONOTONIC)";
  // on Windows "tsc (2.595 GHz, calibrated against QueryPerformanceCounter, ...)".
  [[nodiscard]] const std::string& description() const noexcept { return description_; }

 private:
  // Switches to the TSC, measured against fallback_ns() over 50 ms, and
  // describes it as calibrated against `reference` (tick_clock_calibrate.cpp).
  void calibrate_tsc(const char* reference);
  // The clock without a usable TSC, in nanoseconds: clock_gettime on Linux,
  // steady_clock (QueryPerformanceCounter) on Windows.  Forced inline: it is
  // stamp()'s body there, read once per round trip.
  [[gnu::always_inline]] static std::uint64_t fallback_ns() noexcept {
#ifdef _WIN32
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count());
#else
    timespec ts;
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
#endif
  }

  TickClock();
  bool use_tsc_ = false;
  double ticks_per_ns_ = 1.0;
  std::string description_;
};

}  // namespace ipc

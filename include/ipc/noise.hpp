#pragma once
// The machine's noise: how often, and for how long, a CPU is taken away
// from a thread that only wants to run (interrupts, the scheduler's tick,
// other tasks, a hypervisor running another guest), measured on the CPUs of
// a benchmark and with its own clock, so that a tail in its results can be
// told apart from the machine's.
//
// The method is osnoise's (the kernel's "OSNOISE Tracer" documentation) and
// rigtorp/hiccups': a thread pinned to the CPU reads the clock in a tight
// loop, and any step between two successive readings longer than a
// threshold is time the thread did not run: a gap.
//
// The threshold: default_noise_threshold_ns(), the larger of 1 us and 8
// times the smallest nonzero step of the clock.  1 us is JLBH's: below
// osnoise's 5 us because the round trips this tool measures take 0.2-50 us,
// and a 1-5 us interrupt is already several times a shared-memory round
// trip; far above a step of the loop (20-40 ns on the development VM, TSC or
// vDSO clock_gettime), so a gap is never the loop itself.  8 times the
// smallest step is hiccups': with a coarse clock (clock_gettime as a system
// call, a timer of 0.1-1 us resolution) a step of one tick is not a gap,
// and 8 ticks is well clear of its jitter.
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "ipc/histogram.hpp"

namespace ipc {

// Fed with successive clock readings (TickClock ticks, never decreasing:
// one thread, one CPU), it keeps what the gaps above its threshold add up
// to.  Its storage is fixed when it is built (a LatencyHistogram of the gaps
// and a few counters): feed() never allocates, however many gaps it sees.
class GapRecorder {
 public:
  // A step of more than threshold_ticks between two readings is a gap.
  explicit GapRecorder(std::uint64_t threshold_ticks) : threshold_(threshold_ticks) {}

  // The first reading starts the span; each further one ends a step.  A
  // reading below the previous one (which one thread's clock never gives)
  // counts as a step of 0.
  void feed(std::uint64_t reading) noexcept {
    if (readings_++ == 0) {
      first_ = last_ = reading;
      return;
    }
    const std::uint64_t step = reading > last_ ? reading - last_ : 0;
    last_ = reading > last_ ? reading : last_;
    if (step > threshold_) [[unlikely]] {
      gaps_.record(step);
      lost_ += step;
    } else if (step != 0 && step < smallest_step_) {
      smallest_step_ = step;
    }
  }

  [[nodiscard]] std::uint64_t threshold_ticks() const noexcept { return threshold_; }
  [[nodiscard]] std::uint64_t readings() const noexcept { return readings_; }
  // From the first reading to the last.
  [[nodiscard]] std::uint64_t span_ticks() const noexcept { return last_ - first_; }
  [[nodiscard]] std::uint64_t gaps() const noexcept { return gaps_.count(); }
  // The sum of the gaps, whole (each from the reading before it to the one after).
  [[nodiscard]] std::uint64_t lost_ticks() const noexcept { return lost_; }
  // lost_ticks() / span_ticks(); 0 over an empty span.
  [[nodiscard]] double lost_share() const noexcept;
  // The largest gap, exact; 0 without gaps.
  [[nodiscard]] std::uint64_t max_gap_ticks() const noexcept { return gaps_.max(); }
  // The nearest-rank 99.9th percentile of the gaps (only the steps above the
  // threshold: with fewer than 1000 gaps it is the largest), to within
  // 1/128 of its value (histogram.hpp); 0 without gaps.
  [[nodiscard]] double p999_gap_ticks() const noexcept { return gaps_.percentile(0.999); }
  // The smallest nonzero step at or below the threshold: the clock's
  // resolution as this loop sees it; 0 if there was none.
  [[nodiscard]] std::uint64_t smallest_step_ticks() const noexcept {
    return smallest_step_ == UINT64_MAX ? 0 : smallest_step_;
  }

 private:
  std::uint64_t threshold_;
  std::uint64_t readings_ = 0;
  std::uint64_t first_ = 0, last_ = 0;
  std::uint64_t lost_ = 0;
  std::uint64_t smallest_step_ = UINT64_MAX;
  LatencyHistogram gaps_;
};

// One CPU's probe.  Times in nanoseconds, converted from TickClock ticks.
struct NoiseReport {
  int cpu = 0;
  double threshold_ns = 0;     // a step longer than this was a gap
  double seconds = 0;          // the span probed, first reading to last
  std::uint64_t gaps = 0;
  double gaps_per_second = 0;  // gaps / seconds
  double p999_gap_ns = 0;      // over the gaps only (GapRecorder::p999_gap_ticks); 0 without gaps
  double max_gap_ns = 0;       // 0 without gaps
  double lost_share = 0;       // the gaps' sum over the span, in [0, 1]
  double clock_step_ns = 0;    // the smallest nonzero step seen (the clock's resolution here); 0 if none
};

// max(1000, 8 x the smallest nonzero step of TickClock::now()), in
// nanoseconds (see the top of this file): the step is taken as the smallest
// of 10,000 successive readings' nonzero differences on the calling thread,
// about 0.3 ms.  Never throws.
[[nodiscard]] double default_noise_threshold_ns() noexcept;

// Pins a thread to `cpu` and spins there reading TickClock::now() for
// `duration`, feeding a GapRecorder whose threshold is threshold_ns.  The
// calling thread waits (joins).  Throws ipc::Error if duration or
// threshold_ns is not positive, or if the thread cannot be pinned to `cpu`.
[[nodiscard]] NoiseReport probe_noise(int cpu, std::chrono::nanoseconds duration, double threshold_ns);

// The same on every CPU of `cpus` at once: one thread per CPU, pinned first,
// all released together, so the probe costs `duration` rather than
// cpus.size() x duration, and every CPU is probed over the same interval.
// Reports in the order of `cpus`.  Throws ipc::Error as above, and if a CPU
// appears twice (two probes on one CPU would measure each other).
[[nodiscard]] std::vector<NoiseReport> probe_noise(const std::vector<int>& cpus, std::chrono::nanoseconds duration,
                                                   double threshold_ns);

// The time the hypervisor ran something else while `cpu` (a vCPU) had work:
// the steal field of `cpu`'s line in /proc/stat, since boot, converted from
// USER_HZ ticks (sysconf(_SC_CLK_TCK)) to nanoseconds; the difference of two
// readings is the steal over a run.  Its resolution is one tick (10 ms at
// USER_HZ 100).  std::nullopt if /proc/stat cannot be read, has no line for
// `cpu` or no steal field (kernels before 2.6.11), and on Windows, which
// reports no steal time.  Never throws.
[[nodiscard]] std::optional<std::uint64_t> steal_ns(int cpu) noexcept;

}  // namespace ipc

// The noise probe (noise.hpp): GapRecorder's arithmetic and the pinned
// threads that feed it.  steal_ns: linux/noise.cpp, windows/noise.cpp.
#include "ipc/noise.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <set>
#include <thread>

#include "ipc/error.hpp"
#include "ipc/placement.hpp"
#include "ipc/tick_clock.hpp"

namespace ipc {
namespace {

NoiseReport report_of(int cpu, double threshold_ns, const GapRecorder& recorder) {
  const double ticks_per_ns = TickClock::instance().ticks_per_ns();
  const auto ns = [&](double ticks) { return ticks / ticks_per_ns; };
  NoiseReport report;
  report.cpu = cpu;
  report.threshold_ns = threshold_ns;
  report.seconds = ns(static_cast<double>(recorder.span_ticks())) / 1e9;
  report.gaps = recorder.gaps();
  report.gaps_per_second = report.seconds > 0 ? static_cast<double>(report.gaps) / report.seconds : 0;
  report.p999_gap_ns = ns(recorder.p999_gap_ticks());
  report.max_gap_ns = ns(static_cast<double>(recorder.max_gap_ticks()));
  report.lost_share = recorder.lost_share();
  report.clock_step_ns = ns(static_cast<double>(recorder.smallest_step_ticks()));
  return report;
}

// The spin: nothing but the clock and the recorder, whose feed() neither
// allocates nor calls out, so every long step is time taken from the thread.
void spin(GapRecorder& recorder, std::uint64_t duration_ticks) noexcept {
  const TickClock& clock = TickClock::instance();
  std::uint64_t now = clock.now();
  const std::uint64_t end = now + duration_ticks;
  recorder.feed(now);
  while (now < end) {
    now = clock.now();
    recorder.feed(now);
  }
}

}  // namespace

double GapRecorder::lost_share() const noexcept {
  const std::uint64_t span = span_ticks();
  return span == 0 ? 0.0 : static_cast<double>(lost_) / static_cast<double>(span);
}

double default_noise_threshold_ns() noexcept {
  const TickClock& clock = TickClock::instance();
  std::uint64_t smallest = UINT64_MAX;
  std::uint64_t previous = clock.now();
  for (int i = 0; i < 10'000; ++i) {
    const std::uint64_t now = clock.now();
    if (now > previous) smallest = std::min(smallest, now - previous);
    previous = now;
  }
  const double step_ns = smallest == UINT64_MAX ? 0.0 : static_cast<double>(smallest) / clock.ticks_per_ns();
  return std::max(1000.0, 8 * step_ns);
}

NoiseReport probe_noise(int cpu, std::chrono::nanoseconds duration, double threshold_ns) {
  return probe_noise(std::vector<int>{cpu}, duration, threshold_ns).front();
}

std::vector<NoiseReport> probe_noise(const std::vector<int>& cpus, std::chrono::nanoseconds duration,
                                     double threshold_ns) {
  if (duration.count() <= 0)
    throw Error(fmt::format("noise probe of {} ns: the duration must be positive", duration.count()));
  if (!(threshold_ns > 0))
    throw Error(fmt::format("noise probe with a threshold of {} ns: it must be positive", threshold_ns));
  if (std::set<int>(cpus.begin(), cpus.end()).size() != cpus.size())
    throw Error(fmt::format("noise probe of CPUs {}: a CPU appears twice", fmt::join(cpus, ",")));

  const double ticks_per_ns = TickClock::instance().ticks_per_ns();
  const auto threshold_ticks = static_cast<std::uint64_t>(std::llround(threshold_ns * ticks_per_ns));
  const auto duration_ticks =
      static_cast<std::uint64_t>(std::llround(static_cast<double>(duration.count()) * ticks_per_ns));

  // Built here, before any thread starts: a recorder's storage is allocated
  // once, outside the spin.
  std::vector<GapRecorder> recorders(cpus.size(), GapRecorder(threshold_ticks));
  std::vector<std::exception_ptr> errors(cpus.size());
  std::atomic<std::size_t> pinned{0};
  std::atomic<bool> go{false};
  {
    std::vector<std::jthread> threads;
    threads.reserve(cpus.size());
    // A thread that cannot be started leaves the others waiting for `go`:
    // they are released (and probe for nothing) before the error goes up.
    const auto release = [&] { go.store(true, std::memory_order_release); };
    try {
      for (std::size_t i = 0; i < cpus.size(); ++i) {
        threads.emplace_back([&, i] {
        try {
          const ScopedPin pin(cpus[i]);
          pinned.fetch_add(1, std::memory_order_acq_rel);
          // Yields rather than sleeps: a wake-up would be late by a VM's 20-50
          // us, a start staggered across the CPUs.
          while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
          spin(recorders[i], duration_ticks);
        } catch (...) {
          errors[i] = std::current_exception();
          pinned.fetch_add(1, std::memory_order_acq_rel);
        }
      });
      }
    } catch (...) {
      release();
      throw;
    }
    // Every thread counts itself once, pinned or failed: all are released
    // together once each is in place, and none waits for a failed one.
    while (pinned.load(std::memory_order_acquire) < cpus.size()) std::this_thread::yield();
    release();
  }
  for (const std::exception_ptr& error : errors)
    if (error) std::rethrow_exception(error);

  std::vector<NoiseReport> reports;
  reports.reserve(cpus.size());
  for (std::size_t i = 0; i < cpus.size(); ++i) reports.push_back(report_of(cpus[i], threshold_ns, recorders[i]));
  return reports;
}

}  // namespace ipc

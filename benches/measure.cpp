#include "measure.hpp"

#include <fmt/format.h>
#include <string.h>

#include <algorithm>
#include <chrono>

#include "cpu_time.hpp"
#include "ipc/consumer_path.hpp"
#include "ipc/histogram.hpp"
#include "ipc/tick_clock.hpp"
#include "stop_signals.hpp"

namespace ipc::bench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void report_distribution(benchmark::State& state, const LatencyHistogram& histogram) {
  const double ticks_per_ns = TickClock::instance().ticks_per_ns();
  const auto ns = [&](double q) { return benchmark::Counter(histogram.percentile(q) / ticks_per_ns); };
  state.counters["min_ns"] = ns(0);
  state.counters["p50_ns"] = ns(0.5);
  state.counters["p90_ns"] = ns(0.9);
  state.counters["p99_ns"] = ns(0.99);
  state.counters["p999_ns"] = ns(0.999);
  state.counters["max_ns"] = ns(1);
}

void report_cpu(benchmark::State& state, const CpuTimes& before, const CpuTimes& after, std::uint64_t round_trips) {
  const auto per_round_trip = [round_trips](std::uint64_t ns) {
    return benchmark::Counter(static_cast<double>(ns) / static_cast<double>(round_trips));
  };
  state.counters["producer_cpu_ns"] = per_round_trip(after.producer_ns - before.producer_ns);
  if (before.consumer_ns && after.consumer_ns)
    state.counters["consumer_cpu_ns"] = per_round_trip(*after.consumer_ns - *before.consumer_ns);
}

std::string interrupted() {
  const char* name = ::sigabbrev_np(StopSignals::received());
  return fmt::format("interrupted by SIG{}", name ? name : "?");
}

}  // namespace

Command consumer_for(const Transport& transport, const Options& options) {
  if (options.consumer_command.empty()) return consumer_path(transport.consumer);
  std::vector<std::string> words = options.consumer_command;
  constexpr std::string_view kPlaceholder = "{transport}";
  for (std::string& word : words) {
    for (auto at = word.find(kPlaceholder); at != std::string::npos; at = word.find(kPlaceholder, at + transport.name.size()))
      word.replace(at, kPlaceholder.size(), transport.name);
  }
  if (const auto found = find_executable(words.front())) words.front() = *found;
  return Command(std::move(words));
}

void measure(benchmark::State& state, const BenchSpec& spec, const Options& options, Session& session) {
  if (StopSignals::received() != 0) {
    state.SkipWithError(interrupted().c_str());
    return;
  }
  try {
    const ScopedPin pin(spec.cpus.producer);
    Runner& runner = session.runner_for(spec);
    const auto count = static_cast<std::uint64_t>(state.max_iterations);
    LatencyHistogram& histogram = session.histogram();
    histogram.reset();
    Batch batch{count, Timing::every_round_trip, &histogram};
    const double ticks_per_ns = TickClock::instance().ticks_per_ns();
    const CpuTimes cpu_before = read_cpu_times(runner.consumer_pid());
    const auto wall_start = Clock::now();
    while (state.KeepRunningBatch(state.max_iterations)) {
      runner.run(batch);
      // The stamps' sum: the mean of exactly the round trips in the histogram.
      state.SetIterationTime(static_cast<double>(batch.ticks) / ticks_per_ns * 1e-9);
    }
    const double timed_wall = seconds_since(wall_start);
    const CpuTimes cpu_after = read_cpu_times(runner.consumer_pid());
    if (options.timing_cost) {
      Batch clock_free{count};
      const auto start = Clock::now();
      runner.run(clock_free);
      const double clock_free_wall = seconds_since(start);
      state.counters["clock_free_ns"] = benchmark::Counter(clock_free_wall * 1e9 / static_cast<double>(count));
      state.counters["timing_cost"] = benchmark::Counter(timed_wall / clock_free_wall);
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(2 * spec.payload));
    report_distribution(state, histogram);
    report_cpu(state, cpu_before, cpu_after, count);
  } catch (const std::exception& e) {
    session.drop();
    // A consumer killed because ipc_bench was told to stop: say that, not how it died.
    state.SkipWithError(StopSignals::received() != 0 ? interrupted().c_str() : e.what());
  }
}

}  // namespace ipc::bench

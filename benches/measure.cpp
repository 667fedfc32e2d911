#include "measure.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <optional>

#include "cpu_time.hpp"
#include "explain.hpp"
#include "failure.hpp"
#include "ipc/fanout.hpp"
#include "ipc/histogram.hpp"
#include "ipc/tick_clock.hpp"
#include "output_file.hpp"
#include "stop_signals.hpp"

namespace ipc::bench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// min_ns ... max_ns, or with a prefix (raw_min_ns ...).
void report_distribution(benchmark::State& state, const LatencyHistogram& histogram, const std::string& prefix = "") {
  const double ticks_per_ns = TickClock::instance().ticks_per_ns();
  const auto ns = [&](double q) { return benchmark::Counter(histogram.percentile(q) / ticks_per_ns); };
  state.counters[prefix + "min_ns"] = ns(0);
  state.counters[prefix + "p50_ns"] = ns(0.5);
  state.counters[prefix + "p90_ns"] = ns(0.9);
  state.counters[prefix + "p99_ns"] = ns(0.99);
  state.counters[prefix + "p999_ns"] = ns(0.999);
  state.counters[prefix + "max_ns"] = ns(1);
}

// The open loop's own figures: the raw distribution and mean, the rate
// asked for and the rate achieved (round trips over the time from the first
// send to the last, which is the rate itself when every ping left on time),
// the pings that left more than one period late, and those never sent
// because the batch reached its duration first.
void report_open_loop(benchmark::State& state, const Batch& batch, const LatencyHistogram& raw, std::uint64_t rate,
                      std::uint64_t count) {
  const double ticks_per_ns = TickClock::instance().ticks_per_ns();
  const std::uint64_t done = std::max<std::uint64_t>(1, batch.open_loop.round_trips);
  report_distribution(state, raw, "raw_");
  state.counters["raw_mean_ns"] =
      benchmark::Counter(static_cast<double>(batch.open_loop.raw_ticks) / ticks_per_ns / static_cast<double>(done));
  // The pings the duration ended before they were sent: the rate was not held.
  if (done < count) state.counters["unsent"] = benchmark::Counter(static_cast<double>(count - done));
  const double span_s = static_cast<double>(batch.open_loop.send_span_ticks) / ticks_per_ns * 1e-9;
  const double achieved = done > 1 && span_s > 0 ? static_cast<double>(done - 1) / span_s
                                                        : static_cast<double>(rate);
  state.counters["rate"] = benchmark::Counter(static_cast<double>(rate));
  state.counters["achieved_rate"] = benchmark::Counter(achieved);
  state.counters["late_sends"] = benchmark::Counter(static_cast<double>(batch.open_loop.late_sends));
  // Round trips per second are the achieved rate here, not 1 / latency.
  state.counters["items_per_second"] = benchmark::Counter(achieved);
}

// Another process's CPU clock advances in scheduler ticks (4-10 ms on
// Linux, 15.6 ms on Windows): over a batch this long its error is a few
// percent at most; over a shorter one it can read 0% or 400% of a core.
constexpr double kCoarseCpuClockMinSeconds = 1.0;

// The consumer's CPU time: its task-clock where perf counts it (exact), else
// its process clock when the batch is long enough for the clock's ticks,
// else absent (the summary's "-").
void report_cpu(benchmark::State& state, const CpuTimes& before, const CpuTimes& after, const BatchCounters& counters,
                double timed_wall, std::uint64_t round_trips) {
  const auto per_round_trip = [round_trips](std::uint64_t ns) {
    return benchmark::Counter(static_cast<double>(ns) / static_cast<double>(round_trips));
  };
  state.counters["producer_cpu_ns"] = per_round_trip(after.producer_ns - before.producer_ns);
  if (const auto exact = counters.consumer_cpu_ns()) {
    state.counters["consumer_cpu_ns"] = per_round_trip(*exact);
  } else if (before.consumer_ns && after.consumer_ns && timed_wall >= kCoarseCpuClockMinSeconds) {
    state.counters["consumer_cpu_ns"] = per_round_trip(*after.consumer_ns - *before.consumer_ns);
  }
}

// The floor of the benchmark's CPU pair, and its mean over the floor of its kind.
void report_floor(benchmark::State& state, const BenchSpec& spec, const MachineProbes& probes, double mean_ns) {
  const PairFloor* floor = probes.floor(spec);
  if (!floor) return;
  if (floor->cacheline_ns) state.counters["floor_cacheline_ns"] = benchmark::Counter(*floor->cacheline_ns);
  if (floor->wakeup_ns) state.counters["floor_wakeup_ns"] = benchmark::Counter(*floor->wakeup_ns);
  if (const auto ratio = probes.vs_floor(spec, mean_ns)) state.counters["vs_floor"] = benchmark::Counter(*ratio);
}

// Fan-out: each receiver's delivery latency, and the spread of their p99s
// (the slowest receiver's over the fastest's).
void report_deliveries(benchmark::State& state, const Runner& runner) {
  const auto* fanout = dynamic_cast<const Fanout*>(&runner);
  if (!fanout) return;
  const double ticks_per_ns = TickClock::instance().ticks_per_ns();
  double slowest = 0, fastest = 0;
  std::size_t i = 0;
  for (const LatencyHistogram& h : fanout->deliveries()) {
    const double p99 = h.percentile(0.99) / ticks_per_ns;
    state.counters[fmt::format("r{}_p50_ns", i)] = benchmark::Counter(h.percentile(0.5) / ticks_per_ns);
    state.counters[fmt::format("r{}_p99_ns", i)] = benchmark::Counter(p99);
    state.counters[fmt::format("r{}_max_ns", i)] = benchmark::Counter(static_cast<double>(h.max()) / ticks_per_ns);
    slowest = i == 0 ? p99 : std::max(slowest, p99);
    fastest = i == 0 ? p99 : std::min(fastest, p99);
    ++i;
  }
  if (fastest > 0) state.counters["spread_p99"] = benchmark::Counter(slowest / fastest);
}

// Why the run is ending before its time: a stop signal, or a standard
// output nobody reads any more (the files then keep what ran).
std::optional<std::string> stop_reason() {
  if (StopSignals::received() != 0) return fmt::format("interrupted by {}", StopSignals::name(StopSignals::received()));
  if (const auto gone = stdout_gone()) return fmt::format("interrupted by standard output: {}", *gone);
  return std::nullopt;
}

}  // namespace

void measure(benchmark::State& state, const BenchSpec& spec, const Options& options, Session& session,
             const MachineProbes& probes) {
  if (const auto stop = stop_reason()) {
    fail(state, *stop);
    return;
  }
  if (const auto refused = session.begin_call(spec.name())) {
    fail(state, *refused);
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
    if (spec.rate) {
      session.raw_histogram().reset();
      batch.timing = Timing::open_loop;
      batch.open_loop.raw = &session.raw_histogram();
      batch.open_loop.period_ticks =
          std::max<std::uint64_t>(1, static_cast<std::uint64_t>(1e9 / static_cast<double>(*spec.rate) * ticks_per_ns));
      // A rate's run is its --duration (its count is rate x duration), and
      // a tenth more for a rate held within a few percent to finish.
      if (!options.iterations)
        batch.open_loop.max_span_ticks =
            static_cast<std::uint64_t>(static_cast<double>(options.duration.count()) * 1.1e6 * ticks_per_ns);
    }
    BatchCounters counters(runner.consumer_pid());
    // The counters' reads (a system call per thread and group) outside the
    // CPU clocks' span: in it, they would count as the producer's CPU time
    // of a short batch's round trips.
    counters.before();
    const CpuTimes cpu_before = read_cpu_times(runner.consumer_pid());
    const auto wall_start = Clock::now();
    std::uint64_t done = count;
    while (state.KeepRunningBatch(state.max_iterations)) {
      runner.run(batch);
      if (spec.rate) done = std::max<std::uint64_t>(1, batch.open_loop.round_trips);
      // The stamps' sum: the mean of exactly the round trips in the
      // histogram, over `count` iterations however many of them were done.
      state.SetIterationTime(static_cast<double>(batch.ticks) / ticks_per_ns * 1e-9 * static_cast<double>(count) /
                             static_cast<double>(done));
    }
    const double timed_wall = seconds_since(wall_start);
    const CpuTimes cpu_after = read_cpu_times(runner.consumer_pid());
    counters.after();
    // A clock-free batch is a closed loop: it measures the stamps of closed-loop batches only.
    if (options.timing_cost && !spec.rate) {
      Batch clock_free{count};
      const auto start = Clock::now();
      runner.run(clock_free);
      const double clock_free_wall = seconds_since(start);
      state.counters["clock_free_ns"] = benchmark::Counter(clock_free_wall * 1e9 / static_cast<double>(count));
      state.counters["timing_cost"] = benchmark::Counter(timed_wall / clock_free_wall);
    }
    if (spec.rate) {
      report_open_loop(state, batch, session.raw_histogram(), *spec.rate, count);
    } else {
      state.SetItemsProcessed(state.iterations());
      state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(2 * spec.payload));
    }
    report_distribution(state, histogram);
    report_deliveries(state, runner);
    report_cpu(state, cpu_before, cpu_after, counters, timed_wall, done);
    report_floor(state, spec, probes, static_cast<double>(batch.ticks) / ticks_per_ns / static_cast<double>(done));
    counters.report(state, done);
  } catch (const std::exception& e) {
    session.drop();
    // A consumer killed because the run is ending: say why, not how it died.
    const std::string message = stop_reason().value_or(e.what());
    session.failed(message);
    fail(state, message);
  }
}

}  // namespace ipc::bench

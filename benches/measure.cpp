#include "measure.hpp"

#include <fmt/format.h>
#include <string.h>

#include <algorithm>
#include <chrono>

#include "failure.hpp"
#include "ipc/consumer_path.hpp"
#include "ipc/histogram.hpp"
#include "ipc/tick_clock.hpp"
#include "stop_signals.hpp"

namespace ipc::bench {
namespace {

void warm_up(Runner& runner, const WarmUp& warm_up) {
  if (warm_up.round_trips > 0) runner.round_trips(warm_up.round_trips);
  const auto until = std::chrono::steady_clock::now() + warm_up.duration;
  for (std::uint64_t batch = 16; std::chrono::steady_clock::now() < until; batch = std::min<std::uint64_t>(batch * 2, 4096))
    runner.round_trips(batch);
}

// Chained timestamps, one clock read per round trip: each sample also holds
// the virtual call, the clock read and the histogram update (together ~15 ns
// here), which is why the mean does not come from this pass.
void sample(Runner& runner, std::uint64_t count, LatencyHistogram& histogram) {
  const TickClock& clock = TickClock::instance();
  std::uint64_t previous = clock.now();
  for (std::uint64_t i = 0; i < count; ++i) {
    runner.round_trips(1);
    const std::uint64_t now = clock.now();
    histogram.record(now - previous);
    previous = now;
  }
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

void measure(benchmark::State& state, const BenchSpec& spec, const Options& options) {
  if (StopSignals::received() != 0) {
    fail(state, interrupted());
    return;
  }
  try {
    const ScopedPin pin(spec.cpus.producer);
    LatencyHistogram histogram;  // allocated here, outside both loops
    const auto runner =
        options.remote
            ? spec.transport->remote({spec.payload, options.remote->endpoint, options.remote->token, options.timeout})
            : spec.transport->start(
                  {spec.payload, consumer_for(*spec.transport, options), spec.cpus.consumer, options.timeout});
    warm_up(*runner, options.warm_up);
    while (state.KeepRunningBatch(state.max_iterations)) runner->round_trips(state.max_iterations);
    sample(*runner, std::min<std::uint64_t>(static_cast<std::uint64_t>(state.max_iterations), kMaxSamples), histogram);
    runner->finish();
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(2 * spec.payload));
    report_distribution(state, histogram);
  } catch (const std::exception& e) {
    // A consumer killed because ipc_bench was told to stop: say that, not how it died.
    fail(state, StopSignals::received() != 0 ? interrupted() : e.what());
  }
}

}  // namespace ipc::bench

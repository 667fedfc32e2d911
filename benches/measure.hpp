#pragma once
// How one benchmark is measured (docs/methodology.md):
//   1. spawn the consumer, or connect to a remote one (--remote), with the
//      handshake; pin the producer;
//   2. warm up: --warmup round trips or time, untimed;
//   3. the mean: one batch of exactly max_iterations round trips between two
//      clock reads, no timestamps inside;
//   4. the distribution: a second pass of up to 1,000,000 round trips, each
//      timed with the TickClock into a LatencyHistogram;
//   5. stop the consumer and check it exited (a remote one: ended the run) cleanly.
#include <benchmark/benchmark.h>

#include "bench_spec.hpp"
#include "options.hpp"

namespace ipc::bench {

// Upper bound of the distribution pass: enough for a stable p99.9 (1000
// samples above it), short enough not to double a long run.
inline constexpr std::uint64_t kMaxSamples = 1'000'000;

// The consumer to spawn for `transport`: its own, or --consumer-cmd with
// "{transport}" replaced by the transport's name and the executable looked
// up in $PATH.
Command consumer_for(const Transport& transport, const Options& options);

void measure(benchmark::State& state, const BenchSpec& spec, const Options& options);

}  // namespace ipc::bench

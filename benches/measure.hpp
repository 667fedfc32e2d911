#pragma once
// How one Google Benchmark call of one benchmark is measured
// (docs/methodology.md):
//   1. the Session's runner for the benchmark: spawned (or connected, with
//      --remote), handshaken and warmed up on the benchmark's first call
//      only; the producer pinned;
//   2. one batch of exactly max_iterations round trips, each stamped inside
//      the transport's loop into the Session's histogram: the time per round
//      trip (the stamps' sum over the count) and every percentile come from
//      these same round trips;
//   3. CPU time of both sides around that batch;
//   4. with --timing-cost, the same count again without stamps, for the ratio.
#include <benchmark/benchmark.h>

#include "bench_spec.hpp"
#include "machine_probes.hpp"
#include "options.hpp"
#include "session.hpp"

namespace ipc::bench {

// `probes`: the floor of the benchmark's CPU pair, for floor_cacheline_ns,
// floor_wakeup_ns and vs_floor.
void measure(benchmark::State& state, const BenchSpec& spec, const Options& options, Session& session,
             const MachineProbes& probes);

}  // namespace ipc::bench

#pragma once
#include <benchmark/benchmark.h>

#include <string>

namespace ipc::bench {

// Marks the running benchmark (one repetition) failed with `message`.
// Unlike a bare State::SkipWithError, the failed repetition then reports
// the same iteration count as the others whether or not its timed loop had
// begun: Google Benchmark's statistics over repetitions abort the whole
// process (ComputeStats) when the counts differ.
void fail(benchmark::State& state, const std::string& message);

}  // namespace ipc::bench

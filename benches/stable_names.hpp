#pragma once
// Benchmark names that stay what they were.
//
// ipc_bench hands Google Benchmark the sum of its per-round-trip stamps as
// manual time (UseManualTime), so that the time per round trip and the
// distribution describe the same round trips.  That time is wall-clock time,
// as it was when ipc_bench used UseRealTime(), but Google Benchmark would
// rename every benchmark ".../manual_time": users' JSON history and CI
// trackers key on the name, so every report keeps the "/real_time" suffix.
#include <benchmark/benchmark.h>

#include <vector>

namespace ipc::bench {

// `runs` with the time type "manual_time" in their names written "real_time".
inline std::vector<benchmark::BenchmarkReporter::Run> with_stable_names(
    std::vector<benchmark::BenchmarkReporter::Run> runs) {
  for (auto& run : runs)
    if (run.run_name.time_type == "manual_time") run.run_name.time_type = "real_time";
  return runs;
}

}  // namespace ipc::bench

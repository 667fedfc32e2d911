#pragma once
// StableNames: forwards every report to another reporter with the name's
// time type "manual_time" written as "real_time".
//
// ipc_bench hands Google Benchmark the sum of its per-round-trip stamps as
// manual time (UseManualTime), so that the time per round trip and the
// distribution describe the same round trips.  That time is wall-clock time,
// as it was when ipc_bench used UseRealTime(), and Google Benchmark would
// rename every benchmark ".../manual_time": users' JSON history and CI
// trackers key on the name, so it keeps its "/real_time" suffix.
#include <benchmark/benchmark.h>

#include <vector>

namespace ipc::bench {

class StableNames : public benchmark::BenchmarkReporter {
 public:
  explicit StableNames(benchmark::BenchmarkReporter& inner) : inner_(inner) {}

  bool ReportContext(const Context& context) override {
    // Google Benchmark sets the output stream of the reporter it is given
    // (--benchmark_out): pass it on.
    inner_.SetOutputStream(&GetOutputStream());
    inner_.SetErrorStream(&GetErrorStream());
    return inner_.ReportContext(context);
  }
  void ReportRuns(const std::vector<Run>& runs) override { inner_.ReportRuns(renamed(runs)); }
  void Finalize() override { inner_.Finalize(); }

  static std::vector<Run> renamed(std::vector<Run> runs) {
    for (Run& run : runs)
      if (run.run_name.time_type == "manual_time") run.run_name.time_type = "real_time";
    return runs;
  }

 private:
  benchmark::BenchmarkReporter& inner_;
};

}  // namespace ipc::bench

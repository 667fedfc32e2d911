#pragma once
// Session: the consumer of the benchmark running now, kept across Google
// Benchmark's calls.
//
// Google Benchmark calls a benchmark's function once per trial of its
// iteration search and once per repetition.  Spawning, the handshake and the
// warm-up happen once per benchmark instead: the first call starts the
// runner and warms it up, later calls for the same benchmark reuse it (the
// sequence numbers run on), and the first call for another benchmark, or
// the end of the run, finishes it (the stop message and a clean exit).  A
// benchmark whose call failed has its runner dropped, so its next
// repetition starts afresh.  With --benchmark_enable_random_interleaving
// the benchmarks alternate, and each switch finishes and respawns: one
// consumer alive at a time, never one spinning beside another's run.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench_spec.hpp"
#include "ipc/histogram.hpp"
#include "ipc/runner.hpp"
#include "options.hpp"

namespace ipc::bench {

class Session {
 public:
  explicit Session(const Options& options) : options_(options) {}
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session() { finish(); }

  // The runner for `spec`, started and warmed up if it is not the current
  // one (the current one, of another benchmark, is finished first).
  // Throws ipc::Error when the consumer cannot be started or the warm-up fails.
  Runner& runner_for(const BenchSpec& spec);

  // Drops the current runner without the stop message (after a failure):
  // its consumer is killed and reaped.
  void drop() noexcept;

  // Ends the current runner cleanly; a failure is kept in failures().
  void finish() noexcept;

  // The histograms the timed batches record into: allocated once, reset
  // per batch.  raw_histogram(): an open-loop batch's raw latencies.
  [[nodiscard]] LatencyHistogram& histogram() noexcept { return histogram_; }
  [[nodiscard]] LatencyHistogram& raw_histogram() noexcept { return raw_histogram_; }

  // Google Benchmark 1.7.1 cannot aggregate repetitions whose first one
  // failed (ComputeStats reads the failed report's statistics, which it
  // never set, and crashes).  So a benchmark whose first call failed fails
  // every later call too, with this message; a later failure keeps the
  // others.  begin_call() counts a benchmark's calls; failed() records a
  // failure of the current one.
  [[nodiscard]] std::optional<std::string> begin_call(const std::string& name);
  void failed(const std::string& message);

  // Consumers started so far (spawned, or remote runs begun).
  [[nodiscard]] std::uint64_t starts() const noexcept { return starts_; }

  struct Failure {
    std::string benchmark;  // BenchSpec::name()
    std::string message;
  };
  // Runners whose finish failed after their results were reported.
  [[nodiscard]] const std::vector<Failure>& failures() const noexcept { return failures_; }

 private:
  const Options& options_;
  std::string current_name_;
  std::unique_ptr<Runner> runner_;
  LatencyHistogram histogram_, raw_histogram_;
  std::uint64_t starts_ = 0;
  std::string calls_of_;                      // the benchmark begin_call() counts for
  std::uint64_t calls_ = 0;
  std::optional<std::string> first_failure_;  // its first call's failure
  std::vector<Failure> failures_;
};

}  // namespace ipc::bench

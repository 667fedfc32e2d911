#pragma once
// RunReporter: what Google Benchmark reports goes through here, to the
// summary (and the display behind it) and to the files ipc_bench writes.
//
// It keeps Google Benchmark's own failure modes out of the run:
//  - the files are written by ipc_bench after the run (write_files), so a
//    failed write is an error, not a file silently cut short;
//  - CSV gets every run at once, at the end: Google Benchmark's CSV reporter
//    takes its column set from the first benchmark and aborts when a later
//    one (one that succeeded after a failed one) adds counters;
//  - after a stop signal, the benchmarks never started are dropped, and the
//    one that was running goes to the files only: the display and the
//    summary show what completed;
//  - Google Benchmark's own messages on its error stream ("Failed to match
//    any benchmarks ...") are kept for ipc_bench to rephrase.
#include <benchmark/benchmark.h>

#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "benchmark_flags.hpp"
#include "output_file.hpp"
#include "summary.hpp"

namespace ipc::bench {

// A reporter in `format` writing results to `out` and the context (console,
// CSV) to `err`; CSV buffered as above.
std::unique_ptr<benchmark::BenchmarkReporter> make_reporter(ReportFormat format, std::ostream& out, std::ostream& err,
                                                           bool color);

class RunReporter : public benchmark::BenchmarkReporter {
 public:
  // `flags`: which reports see only the aggregates of a repeated benchmark
  // (--benchmark_display_aggregates_only: the console; _report_: the files
  // too).  The summary's rows always see every repetition.
  RunReporter(SummaryReporter& summary, const std::vector<OutputFile>& files, const BenchmarkFlags& flags);
  ~RunReporter() override;

  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override;

  // True when a benchmark failed other than by a stop signal.
  [[nodiscard]] bool any_failed() const noexcept { return failed_; }
  // Writes each file whole, a JSON file's context beginning with
  // `late_context` (keys found after the run: "warnings", the noise probe's;
  // Google Benchmark writes its context before the run).  Returns one line
  // per file that failed.
  [[nodiscard]] std::vector<std::string> write_files(
      const std::vector<std::pair<std::string, std::string>>& late_context) const;
  // The benchmark at which a stop signal ended the run: the one running, or
  // the next one when the signal came between two.
  [[nodiscard]] const std::optional<std::string>& interrupted() const noexcept { return interrupted_; }
  // What Google Benchmark printed to its error stream.
  [[nodiscard]] std::string library_messages() const { return library_messages_.str(); }

 private:
  struct File;
  // A repeated benchmark's repetitions, held back from the files and/or
  // the display until its aggregates come.
  struct Held {
    std::vector<Run> runs;
    bool from_files = false, from_display = false;
  };
  void release_held();

  SummaryReporter& summary_;
  std::vector<std::unique_ptr<File>> files_;
  bool display_aggregates_only_, report_aggregates_only_;
  bool failed_ = false;
  std::optional<std::string> interrupted_;
  std::optional<Held> held_;
  std::ostringstream library_messages_;
};

}  // namespace ipc::bench

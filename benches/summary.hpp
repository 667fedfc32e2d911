#pragma once
// SummaryReporter: passes every report on to Google Benchmark's own display
// reporter and keeps what the summary table needs: per benchmark, the time
// per round trip, its distribution and CPU cost (medians when there are
// repetitions, except the maximum: the largest over all of them), or the error.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench_spec.hpp"
#include "wrap.hpp"

namespace ipc::bench {

struct SummaryRow {
  BenchSpec spec;
  double ns_per_round_trip = 0;      // the mean, or with repetitions the median of the means
  double p50_ns = 0, p99_ns = 0;     // with repetitions, medians of the repetitions' values
  double max_ns = 0;                 // the largest round trip of every repetition
  std::optional<double> producer_cpu_ns, consumer_cpu_ns;  // CPU per round trip of each side
  std::optional<double> cv;          // coefficient of variation across repetitions
  // Open loop: the rate achieved (round trips per second) and the pings sent
  // more than one period late; the rate asked for is spec.rate.
  std::optional<double> achieved_rate, late_sends;
  std::optional<double> unsent;      // open loop: the most pings a repetition's duration ended before they were sent
  // The explanation counters per round trip, by JSON name
  // ("producer_syscalls"; explain.hpp), as the other figures: medians with
  // repetitions.
  std::map<std::string, double> explain;
  std::optional<std::string> error;
};

class SummaryReporter : public benchmark::BenchmarkReporter {
 public:
  SummaryReporter(std::unique_ptr<benchmark::BenchmarkReporter> display, std::vector<BenchSpec> specs);

  bool ReportContext(const Context& context) override { return display_->ReportContext(context); }
  void ReportRuns(const std::vector<Run>& runs) override {
    add(runs);
    show(runs);
  }
  // The rows take every repetition of a benchmark (the max is the largest
  // of them all) and its aggregates; the display shows only what `show` is
  // given, which may be the aggregates alone.
  void add(const std::vector<Run>& runs);
  void show(const std::vector<Run>& runs) { display_->ReportRuns(runs); }
  void Finalize() override { display_->Finalize(); }

  [[nodiscard]] const std::vector<SummaryRow>& rows() const noexcept { return rows_; }
  [[nodiscard]] bool any_failed() const noexcept;
  // Marks a benchmark failed after its results came in (its consumer did not end cleanly).
  void mark_failed(const std::string& name, const std::string& message);

 private:
  std::unique_ptr<benchmark::BenchmarkReporter> display_;
  std::map<std::string, BenchSpec> specs_;
  std::vector<SummaryRow> rows_;  // in the order the benchmarks ran
  std::map<std::string, std::size_t> row_of_;
};

// A pair of the run that was not timed, and why: a spinning transport at
// placement same, a payload the transport cannot carry, a transport this
// system refuses (payload and placement then absent: all of them).
struct Skipped {
  std::string transport;
  std::optional<std::size_t> payload;
  std::optional<Placement> placement;
  std::string reason;
};


// 541 ns, 20.3 us, 12.0 ms: a duration in three significant figures.
std::string short_duration(double ns);

// 16 MiB, 128 KiB, 65507 B: a size as people write it.
std::string format_size(std::size_t bytes);


// The table after the run: transport, payload, placement, time per round
// trip, round trips per second, p50 / p99 / max, each side's CPU time as a
// share of one core, the coefficient of variation when there were
// repetitions, and the ratio to the fastest at that payload; then the
// skipped pairs with their reasons in their rows' place, and a note per
// failure and per rate not held.  No line is wider than kConsoleColumns.
void print_summary(std::FILE* out, const std::vector<SummaryRow>& rows, const std::vector<Skipped>& skipped);

// The same table in GitHub-flavoured Markdown, a unit in every cell, below
// `machine` (one line); with `explain`, the explanation table below it.
std::string markdown_summary(const std::vector<SummaryRow>& rows, const std::vector<Skipped>& skipped,
                             const std::string& machine, bool explain = false);

// --explain: per result, what each side asked of the kernel per round trip
// (system calls, switches, involuntary switches, migrations, page faults:
// "-" where not counted) and its mean over the machine's floor, in a table of its own below the summary, whose
// 100 columns have no room for them.  Page faults are left out where the
// table would be wider (they stay in --md and --json).
void print_explanation(std::FILE* out, const std::vector<SummaryRow>& rows);

}  // namespace ipc::bench

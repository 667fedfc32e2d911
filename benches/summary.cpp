#include "summary.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ipc::bench {
namespace {

std::string format_duration(double ns) {
  if (ns < 1e3) return fmt::format("{:.1f} ns", ns);
  if (ns < 1e6) return fmt::format("{:.2f} us", ns / 1e3);
  if (ns < 1e9) return fmt::format("{:.2f} ms", ns / 1e6);
  return fmt::format("{:.2f} s", ns / 1e9);
}

std::string format_rate(double per_second) {
  if (per_second >= 1e6) return fmt::format("{:.2f} M/s", per_second / 1e6);
  if (per_second >= 1e3) return fmt::format("{:.1f} k/s", per_second / 1e3);
  return fmt::format("{:.1f} /s", per_second);
}

std::string format_bytes(std::size_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
  if (bytes >= (1u << 10) && bytes % (1u << 10) == 0) return fmt::format("{} KiB", bytes >> 10);
  return fmt::format("{} B", bytes);
}

double nanoseconds(const benchmark::BenchmarkReporter::Run& run) {
  return run.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(run.time_unit) * 1e9;
}

}  // namespace

SummaryReporter::SummaryReporter(std::unique_ptr<benchmark::BenchmarkReporter> display, std::vector<BenchSpec> specs)
    : display_(std::move(display)) {
  for (BenchSpec& spec : specs) {
    std::string name = spec.name();
    specs_.emplace(std::move(name), spec);
  }
}

void SummaryReporter::ReportRuns(const std::vector<Run>& runs) {
  display_->ReportRuns(runs);
  for (const Run& run : runs) {
    const auto spec = specs_.find(run.run_name.function_name);
    if (spec == specs_.end()) continue;
    const bool aggregate = run.run_type == Run::RT_Aggregate;
    if (aggregate && run.aggregate_name != "median" && run.aggregate_name != "cv") continue;
    auto [slot, added] = row_of_.try_emplace(spec->first, rows_.size());
    if (added) {
      rows_.emplace_back();
      rows_.back().spec = spec->second;
    }
    SummaryRow& row = rows_[slot->second];
    if (run.error_occurred) {
      row.error = run.error_message;
    } else if (row.error) {
      continue;
    } else if (aggregate && run.aggregate_name == "cv") {
      // A percentage aggregate: Google Benchmark keeps the ratio itself here.
      row.cv = run.real_accumulated_time;
    } else {
      // An iteration run, then (with repetitions) the median replaces it.
      row.ns_per_round_trip = nanoseconds(run);
      const auto counter = [&run](const char* name) {
        const auto it = run.counters.find(name);
        return it == run.counters.end() ? 0.0 : it->second.value;
      };
      row.p50_ns = counter("p50_ns");
      row.p99_ns = counter("p99_ns");
      row.max_ns = counter("max_ns");
    }
  }
}

bool SummaryReporter::any_failed() const noexcept {
  return std::ranges::any_of(rows_, [](const SummaryRow& row) { return row.error.has_value(); });
}

void print_summary(std::FILE* out, const std::vector<SummaryRow>& rows) {
  if (rows.empty()) return;
  const bool repeated = std::ranges::any_of(rows, [](const SummaryRow& row) { return row.cv.has_value(); });
  using Line = std::vector<std::string>;
  std::vector<Line> lines{{"transport", "payload", "placement", repeated ? "median" : "mean", "round trips", "p50",
                           "p99", "max"}};
  if (repeated) lines[0].push_back("cv");
  lines[0].push_back("x fastest");
  std::vector<std::string> failures;
  for (const SummaryRow& row : rows) {
    Line line{std::string(row.spec.transport->name), format_bytes(row.spec.payload),
              std::string(to_string(row.spec.placement))};
    if (row.error) {
      line.push_back("FAILED");
      failures.push_back(fmt::format("{}: {}", row.spec.name(), *row.error));
    } else {
      double fastest = row.ns_per_round_trip;
      for (const SummaryRow& other : rows)
        if (!other.error && other.spec.payload == row.spec.payload) fastest = std::min(fastest, other.ns_per_round_trip);
      line.push_back(format_duration(row.ns_per_round_trip));
      line.push_back(format_rate(1e9 / row.ns_per_round_trip));
      line.push_back(format_duration(row.p50_ns));
      line.push_back(format_duration(row.p99_ns));
      line.push_back(format_duration(row.max_ns));
      if (repeated) line.push_back(row.cv ? fmt::format("{:.1f}%", *row.cv * 100) : "");
      line.push_back(fmt::format("{:.1f}", row.ns_per_round_trip / fastest));
    }
    lines.push_back(std::move(line));
  }
  std::vector<std::size_t> width(lines[0].size(), 0);
  for (const Line& line : lines)
    for (std::size_t c = 0; c < line.size(); ++c) width[c] = std::max(width[c], line[c].size());
  fmt::print(out, "\nRound trips ({}; percentiles from a separate pass timing each round trip; "
                  "x fastest = ratio to the fastest at the same payload)\n",
             repeated ? "median of the repetitions' means" : "mean");
  for (const Line& line : lines) {
    std::string text = " ";
    // Names left-aligned, figures right-aligned.
    for (std::size_t c = 0; c < line.size(); ++c)
      text += c == 0 || c == 2 ? fmt::format(" {:<{}}", line[c], width[c]) : fmt::format(" {:>{}}", line[c], width[c]);
    fmt::print(out, "{}\n", text);
  }
  for (const std::string& failure : failures) fmt::print(out, "FAILED {}\n", failure);
}

}  // namespace ipc::bench

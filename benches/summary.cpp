#include "summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

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
    const bool is_median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
    if (run.run_type == Run::RT_Aggregate && !is_median) continue;
    auto [slot, added] = row_of_.try_emplace(spec->first, rows_.size());
    if (added) rows_.push_back({spec->second, 0, std::nullopt});
    SummaryRow& row = rows_[slot->second];
    if (run.error_occurred) {
      row.error = run.error_message;
    } else if (!row.error) {
      row.ns_per_round_trip = nanoseconds(run);
    }
  }
}

bool SummaryReporter::any_failed() const noexcept {
  return std::ranges::any_of(rows_, [](const SummaryRow& row) { return row.error.has_value(); });
}

void print_summary(std::FILE* out, const std::vector<SummaryRow>& rows) {
  if (rows.empty()) return;
  using Line = std::array<std::string, 6>;
  std::vector<Line> lines{{"transport", "payload", "placement", "round trip", "round trips", "x fastest"}};
  std::vector<std::string> failures;
  for (const SummaryRow& row : rows) {
    Line line{std::string(row.spec.transport->name), format_bytes(row.spec.payload),
              std::string(to_string(row.spec.placement)), "", "", ""};
    if (row.error) {
      line[3] = "FAILED";
      failures.push_back(fmt::format("{}: {}", row.spec.name(), *row.error));
    } else {
      double fastest = row.ns_per_round_trip;
      for (const SummaryRow& other : rows)
        if (!other.error && other.spec.payload == row.spec.payload) fastest = std::min(fastest, other.ns_per_round_trip);
      line[3] = format_duration(row.ns_per_round_trip);
      line[4] = format_rate(1e9 / row.ns_per_round_trip);
      line[5] = fmt::format("{:.1f}", row.ns_per_round_trip / fastest);
    }
    lines.push_back(std::move(line));
  }
  std::array<std::size_t, 6> width{};
  for (const Line& line : lines)
    for (std::size_t c = 0; c < line.size(); ++c) width[c] = std::max(width[c], line[c].size());
  fmt::print(out, "\nRound trips (mean; x fastest = ratio to the fastest at the same payload)\n");
  for (const Line& line : lines) {
    fmt::print(out, "  {:<{}}  {:>{}}  {:<{}}  {:>{}}  {:>{}}  {:>{}}\n", line[0], width[0], line[1], width[1], line[2],
               width[2], line[3], width[3], line[4], width[4], line[5], width[5]);
  }
  for (const std::string& failure : failures) fmt::print(out, "FAILED {}\n", failure);
}

}  // namespace ipc::bench

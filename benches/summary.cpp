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

// An open-loop result whose producer could not hold the rate: achieved more
// than 1% below it, or a ping sent more than one period late.
std::optional<std::string> rate_not_held(const SummaryRow& row) {
  if (!row.spec.rate || !row.achieved_rate) return std::nullopt;
  const double asked = static_cast<double>(*row.spec.rate);
  const double late = row.late_sends.value_or(0);
  if (*row.achieved_rate >= 0.99 * asked && late == 0) return std::nullopt;
  return fmt::format("rate not held: {} achieved {} of {}, {:.0f} pings sent more than one period late",
                     row.spec.name(), format_rate(*row.achieved_rate), format_rate(asked), late);
}

// CPU time per round trip over the round trip's duration: 100% is one core
// busy for the whole round trip (a spinning side).
std::string share_of_core(std::optional<double> cpu_ns, double round_trip_ns) {
  if (!cpu_ns || round_trip_ns <= 0) return "-";
  return fmt::format("{:.0f}%", *cpu_ns / round_trip_ns * 100);
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
      // An iteration run, then (with repetitions) the median replaces it,
      // but for the maximum, which is the largest of the repetitions'.
      const auto counter = [&run](const char* name) -> std::optional<double> {
        const auto it = run.counters.find(name);
        if (it == run.counters.end()) return std::nullopt;
        return it->second.value;
      };
      row.ns_per_round_trip = nanoseconds(run);
      row.p50_ns = counter("p50_ns").value_or(0);
      row.p99_ns = counter("p99_ns").value_or(0);
      if (!aggregate) row.max_ns = std::max(row.max_ns, counter("max_ns").value_or(0));
      row.producer_cpu_ns = counter("producer_cpu_ns");
      row.consumer_cpu_ns = counter("consumer_cpu_ns");
      row.achieved_rate = counter("achieved_rate");
      if (!aggregate) row.late_sends = std::max(row.late_sends.value_or(0), counter("late_sends").value_or(0));
    }
  }
}

void SummaryReporter::mark_failed(const std::string& name, const std::string& message) {
  const auto slot = row_of_.find(name);
  if (slot != row_of_.end()) rows_[slot->second].error = message;
}

bool SummaryReporter::any_failed() const noexcept {
  return std::ranges::any_of(rows_, [](const SummaryRow& row) { return row.error.has_value(); });
}

void print_summary(std::FILE* out, const std::vector<SummaryRow>& rows) {
  if (rows.empty()) return;
  const bool repeated = std::ranges::any_of(rows, [](const SummaryRow& row) { return row.cv.has_value(); });
  const bool open_loop = std::ranges::any_of(rows, [](const SummaryRow& row) { return row.spec.rate.has_value(); });
  using Line = std::vector<std::string>;
  std::vector<Line> lines{{"transport", "payload", "placement"}};
  if (open_loop) lines[0].push_back("rate");
  for (const char* column : {repeated ? "median" : "mean", "round trips", "p50", "p99", "max", "cpu P", "cpu C"})
    lines[0].push_back(column);
  if (repeated) lines[0].push_back("cv");
  lines[0].push_back("vs best");
  std::vector<std::string> failures, notes;
  for (const SummaryRow& row : rows) {
    Line line{std::string(row.spec.transport->name), format_bytes(row.spec.payload),
              std::string(to_string(row.spec.placement))};
    if (open_loop) line.push_back(row.spec.rate ? format_rate(static_cast<double>(*row.spec.rate)) : "closed");
    if (row.error) {
      line.push_back("FAILED");
      failures.push_back(fmt::format("{}: {}", row.spec.name(), *row.error));
    } else {
      double fastest = row.ns_per_round_trip;
      for (const SummaryRow& other : rows)
        if (!other.error && other.spec.payload == row.spec.payload) fastest = std::min(fastest, other.ns_per_round_trip);
      line.push_back(format_duration(row.ns_per_round_trip));
      // Open loop: the rate achieved; the closed loop's rate is 1 / its mean.
      line.push_back(format_rate(row.achieved_rate.value_or(1e9 / row.ns_per_round_trip)));
      if (const auto note = rate_not_held(row)) notes.push_back(*note);
      line.push_back(format_duration(row.p50_ns));
      line.push_back(format_duration(row.p99_ns));
      line.push_back(format_duration(row.max_ns));
      line.push_back(share_of_core(row.producer_cpu_ns, row.ns_per_round_trip));
      line.push_back(share_of_core(row.consumer_cpu_ns, row.ns_per_round_trip));
      if (repeated) line.push_back(row.cv ? fmt::format("{:.1f}%", *row.cv * 100) : "");
      line.push_back(fmt::format("{:.1f}", row.ns_per_round_trip / fastest));
    }
    lines.push_back(std::move(line));
  }
  std::vector<std::size_t> width(lines[0].size(), 0);
  for (const Line& line : lines)
    for (std::size_t c = 0; c < line.size(); ++c) width[c] = std::max(width[c], line[c].size());
  fmt::print(out, "\nRound trips: {}; vs best = ratio to the fastest at the same payload;\n"
                  "cpu P, cpu C = producer's, consumer's CPU time per round trip as a share of one core\n",
             repeated ? "median of the repetitions' means, p50 and p99; max over all repetitions"
                      : "mean, p50, p99 and max of the same timed round trips");
  if (open_loop)
    fmt::print(out, "At a rate (open loop): latency from when each ping was due to its pong (corrected for "
                    "coordinated omission;\nJSON raw_*: from the actual send); round trips = the rate achieved\n");
  for (const Line& line : lines) {
    std::string text = " ";
    // Names left-aligned, figures right-aligned.
    for (std::size_t c = 0; c < line.size(); ++c)
      text += c == 0 || c == 2 ? fmt::format(" {:<{}}", line[c], width[c]) : fmt::format(" {:>{}}", line[c], width[c]);
    fmt::print(out, "{}\n", text);
  }
  for (const std::string& note : notes) fmt::print(out, "{}\n", note);
  for (const std::string& failure : failures) fmt::print(out, "FAILED {}\n", failure);
}

}  // namespace ipc::bench

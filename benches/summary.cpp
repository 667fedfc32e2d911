#include "summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "tell.hpp"

namespace ipc::bench {
namespace {

std::string format_rate(double per_second) {
  if (per_second >= 1e6) return fmt::format("{:.2f} M/s", per_second / 1e6);
  if (per_second >= 1e3) return fmt::format("{:.1f} k/s", per_second / 1e3);
  return fmt::format("{:.1f} /s", per_second);
}

// An open-loop result whose producer could not hold the rate: achieved more
// than 1% below it, or a ping sent more than one period late.
std::optional<std::string> rate_not_held(const SummaryRow& row) {
  if (!row.spec.rate || !row.achieved_rate) return std::nullopt;
  const double asked = static_cast<double>(*row.spec.rate);
  const double late = row.late_sends.value_or(0);
  const double unsent = row.unsent.value_or(0);
  if (*row.achieved_rate >= 0.99 * asked && late == 0 && unsent == 0) return std::nullopt;
  return fmt::format("rate not held: {} achieved {} of {}, {:.0f} pings sent more than one period late{}",
                     row.spec.name(), format_rate(*row.achieved_rate), format_rate(asked), late,
                     unsent > 0 ? fmt::format(", {:.0f} not sent within the duration", unsent) : "");
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

void SummaryReporter::add(const std::vector<Run>& runs) {
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
      if (const auto unsent = counter("unsent"); unsent && !aggregate)
        row.unsent = std::max(row.unsent.value_or(0), *unsent);
      for (const auto& [name, value] : run.counters)
        if (name.starts_with("producer_") || name.starts_with("consumer_") || name == "vs_floor")
          row.explain[name] = value.value;
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

namespace {

// Three significant figures: the console's columns stay narrow (100 columns
// with every transport, a rate and a cv column) and a round trip is rarely
// known better than that.
std::string three_figures(double ns) {
  const auto three = [](double value, const char* unit) {
    if (value < 9.995) return fmt::format("{:.2f} {}", value, unit);
    if (value < 99.95) return fmt::format("{:.1f} {}", value, unit);
    return fmt::format("{:.0f} {}", value, unit);
  };
  if (ns < 999.5) return three(ns, "ns");
  if (ns < 999.5e3) return three(ns / 1e3, "us");
  if (ns < 999.5e6) return three(ns / 1e6, "ms");
  return three(ns / 1e9, "s");
}

std::string short_rate(double per_second) {
  const auto three = [](double value, const char* unit) {
    if (value < 9.995) return fmt::format("{:.2f} {}", value, unit);
    if (value < 99.95) return fmt::format("{:.1f} {}", value, unit);
    return fmt::format("{:.0f} {}", value, unit);
  };
  if (per_second >= 999.5e3) return three(per_second / 1e6, "M/s");
  if (per_second >= 999.5) return three(per_second / 1e3, "k/s");
  return three(per_second, "/s");
}

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> lines;
  // Rate not held, failures: one note each (wrapped on the console, whole in Markdown).
  std::vector<std::string> notes;
  // Lines whose last cell spans the columns after it (a skipped pair's
  // reason, in its row's place), wrapped on the console under its start.
  std::set<std::size_t> spanning;
  bool repeated = false, open_loop = false;
};

// One table for the console and Markdown; `markdown` puts a unit in every
// cell (the ratio as "1.0x").
Table build_table(const std::vector<SummaryRow>& rows, const std::vector<Skipped>& skipped, bool markdown) {
  Table t;
  t.repeated = std::ranges::any_of(rows, [](const SummaryRow& row) { return row.cv.has_value(); });
  t.open_loop = std::ranges::any_of(rows, [](const SummaryRow& row) { return row.spec.rate.has_value(); });
  t.header = {"transport", "payload", "placement"};
  if (t.open_loop) t.header.push_back("rate");
  for (const char* column : {t.repeated ? "median" : "mean", markdown ? "round trips/s" : "trips/s", "p50", "p99", "max", "cpu P", "cpu C"})
    t.header.push_back(column);
  if (t.repeated) t.header.push_back("cv");
  t.header.push_back(markdown ? "vs best" : "x best");
  for (const SummaryRow& row : rows) {
    std::vector<std::string> line{std::string(row.spec.transport->name), format_size(row.spec.payload),
                                  row.spec.placement_column()};
    if (t.open_loop) line.push_back(row.spec.rate ? short_rate(static_cast<double>(*row.spec.rate)) : "closed");
    if (row.error) {
      line.push_back("FAILED");
      t.notes.push_back(fmt::format("FAILED {}: {}", row.spec.name(), *row.error));
    } else {
      double fastest = row.ns_per_round_trip;
      for (const SummaryRow& other : rows)
        if (!other.error && other.spec.payload == row.spec.payload) fastest = std::min(fastest, other.ns_per_round_trip);
      line.push_back(three_figures(row.ns_per_round_trip));
      // Open loop: the rate achieved; the closed loop's rate is 1 / its mean.
      line.push_back(short_rate(row.achieved_rate.value_or(1e9 / row.ns_per_round_trip)));
      if (const auto note = rate_not_held(row)) t.notes.push_back(*note);
      line.push_back(three_figures(row.p50_ns));
      line.push_back(three_figures(row.p99_ns));
      line.push_back(three_figures(row.max_ns));
      // The time one round trip occupies: its latency in a closed loop, the
      // period between pings at a rate (a side busy all that time is 100%).
      const double period_ns = row.achieved_rate ? 1e9 / *row.achieved_rate : row.ns_per_round_trip;
      line.push_back(share_of_core(row.producer_cpu_ns, period_ns));
      line.push_back(share_of_core(row.consumer_cpu_ns, period_ns));
      if (t.repeated) line.push_back(row.cv ? fmt::format("{:.1f}%", *row.cv * 100) : "-");
      line.push_back(fmt::format("{:.1f}{}", row.ns_per_round_trip / fastest, markdown ? "x" : ""));
    }
    t.lines.push_back(std::move(line));
  }
  for (const Skipped& s : skipped) {
    std::vector<std::string> line{s.transport, s.payload ? format_size(*s.payload) : "all",
                                  s.placement ? std::string(to_string(*s.placement)) : "all"};
    if (t.open_loop) line.push_back("-");
    line.push_back("skipped: " + s.reason);
    t.spanning.insert(t.lines.size());
    t.lines.push_back(std::move(line));
  }
  return t;
}

std::string legend(const Table& t) {
  std::string text = fmt::format(
      "Round trips: {}; trips/s = round trips per second{}; x best = ratio to the fastest at the payload; cpu P, C = each side's "
      "CPU time per round trip (every thread of its process), share of one core.",
      t.repeated ? "medians of the repetitions (max: over all), cv of their means" : "mean, p50, p99, max of the same ones",
      t.open_loop ? " (at a rate: achieved)" : "");
  if (t.open_loop)
    text += " At a rate: latency from when each ping was due (JSON raw_*: from the send).";
  return text;
}

// The explanation table's columns: header, JSON counter (the system calls'
// falls back to the read/write family where that is all there is).
struct ExplainColumn {
  const char* header;
  const char* side;
  const char* event;
};
constexpr ExplainColumn kExplainColumns[] = {
    {"sys P", "producer", "syscalls"},       {"sys C", "consumer", "syscalls"},
    {"sw P", "producer", "switches"},        {"sw C", "consumer", "switches"},
    {"inv P", "producer", "involuntary_switches"}, {"inv C", "consumer", "involuntary_switches"},
    {"mig P", "producer", "migrations"},     {"mig C", "consumer", "migrations"},
    {"flt P", "producer", "page_faults"},    {"flt C", "consumer", "page_faults"},
};

// A count per round trip: two decimals below 10 (2.00 calls, 0.01
// switches), whole above.
std::string per_round_trip(std::optional<double> v) {
  if (!v) return "-";
  return *v < 9.995 ? fmt::format("{:.2f}", *v) : fmt::format("{:.0f}", *v);
}

std::optional<double> explain_value(const SummaryRow& row, const ExplainColumn& column, bool& read_write_only) {
  const auto find = [&row](const std::string& name) -> std::optional<double> {
    const auto it = row.explain.find(name);
    if (it == row.explain.end()) return std::nullopt;
    return it->second;
  };
  if (auto v = find(fmt::format("{}_{}", column.side, column.event))) return v;
  if (std::string_view(column.event) == "syscalls") {
    if (auto v = find(fmt::format("{}_rw_calls", column.side))) {
      read_write_only = true;
      return v;
    }
  }
  return std::nullopt;
}

Table build_explanation(const std::vector<SummaryRow>& rows, bool& read_write_only) {
  Table t;
  t.header = {"transport", "payload", "placement"};
  t.open_loop = std::ranges::any_of(rows, [](const SummaryRow& row) { return row.spec.rate.has_value(); });
  if (t.open_loop) t.header.push_back("rate");
  for (const ExplainColumn& c : kExplainColumns) t.header.push_back(c.header);
  t.header.push_back("x floor");
  for (const SummaryRow& row : rows) {
    if (row.error) continue;
    std::vector<std::string> line{std::string(row.spec.transport->name), format_size(row.spec.payload),
                                  row.spec.placement_column()};
    if (t.open_loop) line.push_back(row.spec.rate ? short_rate(static_cast<double>(*row.spec.rate)) : "closed");
    for (const ExplainColumn& c : kExplainColumns) line.push_back(per_round_trip(explain_value(row, c, read_write_only)));
    const auto floor = row.explain.find("vs_floor");
    line.push_back(floor == row.explain.end() ? "-" : fmt::format("{:.1f}", floor->second));
    t.lines.push_back(std::move(line));
  }
  return t;
}

std::string explanation_legend(bool read_write_only, bool page_faults) {
  return fmt::format(
      "Per round trip, P = producer (its benchmark thread), C = consumer (its every thread): sys = system calls{}, "
      "sw = context switches, inv = the involuntary ones among them, mig = CPU migrations{}; x floor = the mean "
      "over the machine's floor of its kind on those CPUs (JSON context explain_source: where each is counted).",
      read_write_only ? " (here the read/write family only: no raw_syscalls tracepoint)" : "",
      page_faults ? ", flt = page faults" : "");
}

}  // namespace

std::string short_duration(double ns) { return three_figures(ns); }

std::string format_size(std::size_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
  if (bytes >= (1u << 10) && bytes % (1u << 10) == 0) return fmt::format("{} KiB", bytes >> 10);
  return fmt::format("{} B", bytes);
}

namespace {

std::vector<std::size_t> column_widths(const Table& t) {
  std::vector<std::size_t> width(t.header.size(), 0);
  for (std::size_t c = 0; c < t.header.size(); ++c) width[c] = t.header[c].size();
  for (std::size_t l = 0; l < t.lines.size(); ++l) {
    const auto& line = t.lines[l];
    const std::size_t cells = t.spanning.contains(l) ? line.size() - 1 : line.size();
    for (std::size_t c = 0; c < cells && c < width.size(); ++c) width[c] = std::max(width[c], line[c].size());
  }
  return width;
}

std::size_t table_width(const Table& t) {
  std::size_t sum = 0;
  for (const std::size_t w : column_widths(t)) sum += w + 1;
  return sum;
}

void drop_column(Table& t, std::string_view header) {
  const auto at = static_cast<std::size_t>(std::ranges::find(t.header, header) - t.header.begin());
  if (at == t.header.size()) return;
  t.header.erase(t.header.begin() + static_cast<std::ptrdiff_t>(at));
  for (auto& line : t.lines)
    if (line.size() > at) line.erase(line.begin() + static_cast<std::ptrdiff_t>(at));
}

// Names left-aligned, figures right-aligned; each cell after one space.
void print_table(std::FILE* out, const Table& t) {
  const std::vector<std::size_t> width = column_widths(t);
  const auto render = [&width](const std::vector<std::string>& line, bool spans) {
    std::string text;
    const std::size_t cells = spans ? line.size() - 1 : line.size();
    for (std::size_t c = 0; c < cells; ++c)
      text += c == 0   ? fmt::format("{:<{}}", line[c], width[c])
              : c == 2 ? fmt::format(" {:<{}}", line[c], width[c])
                       : fmt::format(" {:>{}}", line[c], width[c]);
    if (spans) {
      const std::size_t indent = text.size() + 1;
      return wrap(text + " " + line.back(), indent);
    }
    while (text.ends_with(' ')) text.pop_back();
    return text;
  };
  print_out(out, "{}\n", render(t.header, false));
  for (std::size_t l = 0; l < t.lines.size(); ++l) print_out(out, "{}\n", render(t.lines[l], t.spanning.contains(l)));
}

// A '|' in a cell would end it.
std::string markdown_cell(std::string text) {
  for (std::size_t at = text.find('|'); at != std::string::npos; at = text.find('|', at + 2)) text.replace(at, 1, "\\|");
  return text;
}

std::string markdown_table(const Table& t) {
  std::string md = "|";
  for (const std::string& h : t.header) md += fmt::format(" {} |", h);
  md += "\n|";
  for (std::size_t c = 0; c < t.header.size(); ++c) md += c == 0 || c == 2 ? "---|" : "---:|";
  md += "\n";
  for (const auto& line : t.lines) {
    md += "|";
    for (std::size_t c = 0; c < t.header.size(); ++c) md += fmt::format(" {} |", markdown_cell(c < line.size() ? line[c] : ""));
    md += "\n";
  }
  return md;
}

}  // namespace

void print_summary(std::FILE* out, const std::vector<SummaryRow>& rows, const std::vector<Skipped>& skipped) {
  if (rows.empty() && skipped.empty()) return;
  Table t = build_table(rows, skipped, false);
  std::string dropped;
  if (table_width(t) > kConsoleColumns) {
    // The least useful column, to fit: the maximum is one round trip, the
    // noisiest figure of all (still in --json, --md and --gb-table).
    drop_column(t, "max");
    dropped = " (max left out to fit 100 columns: see --md, --json or --gb-table)";
  }
  print_out(out, "\n{}\n", wrap(legend(t) + dropped, 0));
  print_table(out, t);
  for (const std::string& note : t.notes) print_out(out, "{}\n", wrap(note, 2));
}

void print_explanation(std::FILE* out, const std::vector<SummaryRow>& rows) {
  bool read_write_only = false;
  Table t = build_explanation(rows, read_write_only);
  if (t.lines.empty()) return;
  const bool page_faults = table_width(t) <= kConsoleColumns;
  if (!page_faults) {
    drop_column(t, "flt P");
    drop_column(t, "flt C");
  }
  print_out(out, "\n{}\n", wrap(explanation_legend(read_write_only, page_faults), 0));
  print_table(out, t);
}

std::string markdown_summary(const std::vector<SummaryRow>& rows, const std::vector<Skipped>& skipped,
                             const std::string& machine, bool explain) {
  const Table t = build_table(rows, skipped, true);
  std::string md = machine + "\n\n" + markdown_table(t);
  md += fmt::format("\n{}\n", legend(t));
  if (!t.notes.empty()) {
    md += "\n";
    for (const std::string& note : t.notes) md += fmt::format("- {}\n", markdown_cell(note));
  }
  if (explain) {
    bool read_write_only = false;
    const Table e = build_explanation(rows, read_write_only);
    if (!e.lines.empty()) md += fmt::format("\n{}\n{}", markdown_table(e), fmt::format("\n{}\n", explanation_legend(read_write_only, true)));
  }
  return md;
}

}  // namespace ipc::bench

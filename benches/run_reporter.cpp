#include "run_reporter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string_view>
#include <utility>

#include "stable_names.hpp"

namespace ipc::bench {
namespace {

using Run = benchmark::BenchmarkReporter::Run;

// Holds everything until Finalize, then hands it to `inner` in one call.
class BufferedReporter : public benchmark::BenchmarkReporter {
 public:
  explicit BufferedReporter(std::unique_ptr<benchmark::BenchmarkReporter> inner) : inner_(std::move(inner)) {}

  bool ReportContext(const Context& context) override {
    context_.emplace(context);
    return true;
  }
  void ReportRuns(const std::vector<Run>& runs) override { runs_.insert(runs_.end(), runs.begin(), runs.end()); }
  void Finalize() override {
    if (!context_) return;
    inner_->ReportContext(*context_);
    if (!runs_.empty()) inner_->ReportRuns(runs_);
    inner_->Finalize();
  }

 private:
  std::unique_ptr<benchmark::BenchmarkReporter> inner_;
  std::optional<Context> context_;
  std::vector<Run> runs_;
};

// Google Benchmark's console table without its "Library was built as
// DEBUG" line: Debian's libbenchmark says so of itself on every run, which
// reads as if the user's build were wrong (ipc_bench says one line of its
// own when it is not a Release build).
class ConsoleTable : public benchmark::ConsoleReporter {
 public:
  using benchmark::ConsoleReporter::ConsoleReporter;

  bool ReportContext(const Context& context) override {
    std::ostream& err = GetErrorStream();
    std::ostringstream text;
    SetErrorStream(&text);
    const bool ok = benchmark::ConsoleReporter::ReportContext(context);
    SetErrorStream(&err);
    std::istringstream lines(text.str());
    for (std::string line; std::getline(lines, line);)
      if (line.find("Library was built as DEBUG") == std::string::npos) err << line << '\n';
    return ok;
  }
};

// Google Benchmark's cv of a counter whose repetitions are all 0 is 0 / 0,
// which its JSON writer prints as NaN: not JSON.  No variation is a cv of 0.
std::vector<Run> with_finite_cv(std::vector<Run> runs) {
  for (Run& run : runs) {
    if (run.run_type != Run::RT_Aggregate || run.aggregate_name != "cv") continue;
    for (auto& [name, counter] : run.counters)
      if (!std::isfinite(counter.value)) counter.value = 0;
  }
  return runs;
}

// `text`, Google Benchmark's JSON, with `entries` first in its context
// object, in their order.
std::string with_context(std::string text, const std::vector<std::pair<std::string, std::string>>& entries) {
  constexpr std::string_view kContext = "\"context\": {\n";
  const auto at = text.find(kContext);
  if (at == std::string::npos) return text;
  const auto quoted = [](const std::string& raw) {
    std::string value;
    for (const char c : raw) {
      if (c == '"' || c == '\\') {
        value += '\\';
        value += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        value += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
      } else {
        value += c;
      }
    }
    return value;
  };
  std::string inserted;
  for (const auto& [key, value] : entries) inserted += fmt::format("    \"{}\": \"{}\",\n", quoted(key), quoted(value));
  text.insert(at + kContext.size(), inserted);
  return text;
}

bool interrupted_run(const Run& run) { return run.error_occurred && run.error_message.starts_with("interrupted by "); }

}  // namespace

std::unique_ptr<benchmark::BenchmarkReporter> make_reporter(ReportFormat format, std::ostream& out, std::ostream& err,
                                                           bool color) {
  std::unique_ptr<benchmark::BenchmarkReporter> reporter;
  switch (format) {
    case ReportFormat::json:
      reporter = std::make_unique<benchmark::JSONReporter>();
      break;
    case ReportFormat::csv:
// Deprecated upstream, still the only CSV writer of the libbenchmark we
// link; users pass --benchmark_format=csv and got it before.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
      reporter = std::make_unique<benchmark::CSVReporter>();
#pragma GCC diagnostic pop
      break;
    case ReportFormat::console:
      reporter = std::make_unique<ConsoleTable>(static_cast<benchmark::ConsoleReporter::OutputOptions>(
          benchmark::ConsoleReporter::OO_Tabular | (color ? benchmark::ConsoleReporter::OO_Color : 0)));
      break;
  }
  reporter->SetOutputStream(&out);
  reporter->SetErrorStream(&err);
  if (format == ReportFormat::csv) return std::make_unique<BufferedReporter>(std::move(reporter));
  return reporter;
}

struct RunReporter::File {
  OutputFile file;
  std::ostringstream text;
  std::unique_ptr<benchmark::BenchmarkReporter> reporter;
};

RunReporter::RunReporter(SummaryReporter& summary, const std::vector<OutputFile>& files, const BenchmarkFlags& flags)
    : summary_(summary),
      display_aggregates_only_(flags.display_aggregates_only || flags.report_aggregates_only),
      report_aggregates_only_(flags.report_aggregates_only) {
  for (const OutputFile& file : files) {
    auto sink = std::make_unique<File>();
    sink->file = file;
    sink->reporter = make_reporter(file.format, sink->text, sink->text, false);
    files_.push_back(std::move(sink));
  }
  SetErrorStream(&library_messages_);
}

RunReporter::~RunReporter() = default;

bool RunReporter::ReportContext(const Context& context) {
  bool ok = summary_.ReportContext(context);
  for (const auto& file : files_) ok = file->reporter->ReportContext(context) && ok;
  return ok;
}

void RunReporter::ReportRuns(const std::vector<Run>& reported) {
  if (reported.empty()) return;
  const std::vector<Run> runs = with_finite_cv(with_stable_names(reported));
  failed_ = failed_ || std::ranges::any_of(runs, [](const Run& run) { return run.error_occurred && !interrupted_run(run); });
  // Google Benchmark reports a repeated benchmark's repetitions, then its
  // aggregates in a call of their own, and none when fewer than two
  // repetitions succeeded: the repetitions wait for them, and go where they
  // were held back from if they never come.
  const bool aggregates =
      std::ranges::all_of(runs, [](const Run& run) { return run.run_type == Run::RT_Aggregate; });
  if (held_ && aggregates && held_->runs.front().run_name.function_name == runs.front().run_name.function_name)
    held_.reset();
  release_held();
  if (std::ranges::any_of(runs, interrupted_run)) {
    // The first such report is the benchmark that was running; the later
    // ones never started.
    if (interrupted_) return;
    interrupted_ = runs.front().run_name.function_name;
    for (const auto& file : files_) file->reporter->ReportRuns(runs);
    return;
  }
  if (interrupted_ && runs.front().run_name.function_name == *interrupted_) {
    // Its statistics (a separate report) cover only the repetitions that
    // completed: the files say so, with the interrupted ones beside them.
    for (const auto& file : files_) file->reporter->ReportRuns(runs);
    return;
  }
  summary_.add(runs);
  const bool repeated = !aggregates && runs.front().repetitions > 1;
  const bool hold_files = repeated && report_aggregates_only_;
  const bool hold_display = repeated && display_aggregates_only_;
  if (hold_files || hold_display) held_ = Held{runs, hold_files, hold_display};
  if (!hold_files)
    for (const auto& file : files_) file->reporter->ReportRuns(runs);
  if (!hold_display) summary_.show(runs);
}

void RunReporter::release_held() {
  if (!held_) return;
  const Held held = std::move(*held_);
  held_.reset();
  if (held.from_files)
    for (const auto& file : files_) file->reporter->ReportRuns(held.runs);
  if (held.from_display) summary_.show(held.runs);
}

void RunReporter::Finalize() {
  release_held();
  summary_.Finalize();
  for (const auto& file : files_) file->reporter->Finalize();
}

std::vector<std::string> RunReporter::write_files(
    const std::vector<std::pair<std::string, std::string>>& late_context) const {
  std::vector<std::string> errors;
  for (const auto& file : files_) {
    const std::string text =
        file->file.format == ReportFormat::json ? with_context(file->text.str(), late_context) : file->text.str();
    if (auto error = write_output(file->file.path, text)) errors.push_back(std::move(*error));
  }
  return errors;
}

}  // namespace ipc::bench

#include "benchmark_flags.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
// GCC 12 warns, at -O1 with ASan, that a std::function inside <regex> "may
// be used uninitialized" (a false positive of GCC bug 105562); Google
// Benchmark compiles --benchmark_filter with std::regex, so the check must too.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop
#include <string>

#include "ipc/parse.hpp"
#include "usage_error.hpp"

namespace ipc::bench {
namespace {

[[noreturn]] void refuse(std::string_view flag, std::string_view value, std::string_view expected) {
  throw UsageError(fmt::format("invalid --{}={}: expected {}", flag, value, expected));
}

std::optional<bool> parse_bool(std::string_view text) {
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  return std::nullopt;
}

bool boolean(std::string_view flag, std::string_view value, bool bare) {
  if (bare) return true;
  const auto parsed = parse_bool(value);
  if (!parsed) refuse(flag, value, "true or false");
  return *parsed;
}

ReportFormat format(std::string_view flag, std::string_view value) {
  if (value == "console") return ReportFormat::console;
  if (value == "json") return ReportFormat::json;
  if (value == "csv") return ReportFormat::csv;
  refuse(flag, value, "console, json or csv");
}

void seconds(std::string_view flag, std::string_view value, double low, bool low_allowed) {
  double parsed = NAN;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  const bool in_range = low_allowed ? parsed >= low : parsed > low;
  if (value.empty() || ec != std::errc{} || end != value.data() + value.size() || !std::isfinite(parsed) || !in_range ||
      parsed > 86400)
    refuse(flag, value, fmt::format("seconds, {} {} and at most 86400", low_allowed ? "at least" : "above", low));
}

}  // namespace

BenchmarkFlags parse_benchmark_flags(const std::vector<std::string>& flags) {
  BenchmarkFlags result;
  std::optional<std::string> out_path;
  ReportFormat out_format = ReportFormat::json;
  for (const std::string& flag : flags) {
    const std::string_view text = std::string_view(flag).substr(2);  // after "--"
    const auto equals = text.find('=');
    const bool bare = equals == std::string_view::npos;
    const std::string_view name = text.substr(0, equals);
    const std::string_view value = bare ? std::string_view() : text.substr(equals + 1);
    const auto needs_value = [&] {
      if (bare) throw UsageError(fmt::format("--{} needs a value: --{}=VALUE", name, name));
    };
    if (name == "benchmark_repetitions") {
      needs_value();
      const auto count = parse_count(value);
      if (!count || *count > 10000) refuse(name, value, "a whole number from 1 to 10000");
      result.passed.push_back(flag);
    } else if (name == "benchmark_min_time") {
      needs_value();
      seconds(name, value, 0, false);
      result.passed.push_back(flag);
    } else if (name == "benchmark_min_warmup_time") {
      needs_value();
      seconds(name, value, 0, true);
      result.passed.push_back(flag);
    } else if (name == "benchmark_filter") {
      needs_value();
      // Google Benchmark compiles it as an extended regular expression; a
      // leading '-' negates it.
      const std::string_view pattern = value.starts_with('-') ? value.substr(1) : value;
      try {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
        (void)std::regex(std::string(pattern), std::regex::extended);
#pragma GCC diagnostic pop
      } catch (const std::regex_error& e) {
        refuse(name, value, fmt::format("a regular expression ({})", e.what()));
      }
      result.filter = value;
      result.passed.push_back(flag);
    } else if (name == "benchmark_enable_random_interleaving" || name == "benchmark_counters_tabular") {
      (void)boolean(name, value, bare);
      result.passed.push_back(flag);
    } else if (name == "benchmark_list_tests") {
      result.list_tests = boolean(name, value, bare);
      result.passed.push_back(flag);
    } else if (name == "benchmark_display_aggregates_only") {
      result.display_aggregates_only = boolean(name, value, bare);
    } else if (name == "benchmark_report_aggregates_only") {
      result.report_aggregates_only = boolean(name, value, bare);
    } else if (name == "benchmark_time_unit") {
      needs_value();
      if (value != "ns" && value != "us" && value != "ms" && value != "s") refuse(name, value, "ns, us, ms or s");
      result.passed.push_back(flag);
    } else if (name == "benchmark_context") {
      needs_value();
      result.passed.push_back(flag);  // Google Benchmark rejects a malformed one without aborting
    } else if (name == "benchmark_format") {
      needs_value();
      result.display = format(name, value);
      result.display_given = true;
    } else if (name == "benchmark_out") {
      needs_value();
      out_path = value;
    } else if (name == "benchmark_out_format") {
      needs_value();
      out_format = format(name, value);
    } else if (name == "benchmark_color") {
      needs_value();
      if (value != "auto") {
        result.color = parse_bool(value);
        if (!result.color) refuse(name, value, "auto, true or false");
      }
    } else if (name == "benchmark_perf_counters") {
      // Google Benchmark aborts when the counters cannot be set up.
      throw UsageError("--benchmark_perf_counters is not supported by ipc_bench");
    } else {
      throw UsageError(fmt::format("unknown Google Benchmark flag '{}'", flag));
    }
  }
  if (out_path) {
    if (out_path->empty()) throw UsageError("--benchmark_out needs a file name");
    result.out = OutputFile{*out_path, out_format};
  }
  return result;
}

}  // namespace ipc::bench

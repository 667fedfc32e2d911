#pragma once
// The --benchmark_* flags ipc_bench passes to Google Benchmark, validated
// like its own options: Google Benchmark aborts or silently does nothing on
// values such as --benchmark_repetitions=0, so every flag is either checked
// here or refused.  The output flags (--benchmark_out, _out_format,
// _format, _color, _display_aggregates_only, _report_aggregates_only) are
// taken over by ipc_bench, which writes and checks every output itself (and
// whose summary needs every repetition, whatever the outputs show: its max
// is the largest of them all).
#include <optional>
#include <string>
#include <vector>

#include "output_file.hpp"

namespace ipc::bench {

struct BenchmarkFlags {
  std::vector<std::string> passed;  // for benchmark::Initialize, each already validated
  std::optional<OutputFile> out;    // --benchmark_out, in --benchmark_out_format
  ReportFormat display = ReportFormat::console;  // --benchmark_format
  bool display_given = false;       // --benchmark_format was on the command line
  std::optional<bool> color;        // --benchmark_color; nullopt: when stdout is a terminal
  bool display_aggregates_only = false;  // the console shows only the aggregates of repeated benchmarks
  bool report_aggregates_only = false;   // the console and the files do
  bool list_tests = false;
  std::string filter;               // --benchmark_filter, as given ("" when absent)
};

// `flags` are "--benchmark_NAME=VALUE" (or "--benchmark_NAME" for a
// boolean).  Throws UsageError naming the flag and what it expects.
BenchmarkFlags parse_benchmark_flags(const std::vector<std::string>& flags);

}  // namespace ipc::bench

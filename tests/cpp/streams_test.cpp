// What users see on the console and how a failing stream ends a run: a
// stderr that cannot be written loses lines, never the run or its JSON; a
// stdout that cannot be written is one line and exit status 1; --help and
// --list fit 100 columns and name each value.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "temp_tree.hpp"
#include "test_support.hpp"

namespace ipc {
namespace {

namespace fs = std::filesystem;

// ipc_bench run by sh, with `redirect` applied to it (2>/dev/full, 2>&-).
test::CommandResult ipc_bench_redirected(const std::string& args, const std::string& redirect) {
  return test::run_command({"/bin/sh", "-c", "exec " + test::built("ipc_bench") + " " + args + " " + redirect});
}

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

TEST(Streams, AStderrThatCannotBeWrittenLosesItsLinesNotTheRun) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full here";
  for (const std::string redirect : {"2>/dev/full", "2>&-"}) {
    const test::TempTree dir;
    const fs::path out = dir.root() / "out.json";
    // Two transports, so that a line goes to stderr between results (a caution at least).
    const auto result =
        ipc_bench_redirected("-t pipe,udp -n 200 --warmup 0 --json " + out.string(), redirect);
    EXPECT_EQ(result.exit_code, 0) << redirect << ": " << result.out;
    ASSERT_TRUE(fs::exists(out)) << redirect;
    EXPECT_EQ(read_json(out).at("benchmarks").size(), 2u) << redirect;
  }
}

TEST(Streams, AStdoutThatCannotBeWrittenIsOneLineAndExitOne) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full here";
  for (const std::string args : {"--help", "--list", "-t pipe -n 100 --warmup 0"}) {
    const auto result = ipc_bench_redirected(args, ">/dev/full");
    EXPECT_EQ(result.exit_code, 1) << args << ": " << result.err;
    EXPECT_NE(result.err.find("ipc_bench: cannot write standard output: No space left on device"), std::string::npos)
        << args << ": " << result.err;
  }
}

// A reader that leaves (`| head`) or a closed stdout ends even a run that
// would take hours, at once: one line, exit 1, the JSON whole with the
// benchmark it stopped, and nothing left behind.
TEST(Streams, AStdoutNobodyReadsEndsTheRunPromptly) {
  const std::string endless = "-t pipe,udp -n 100000000 --warmup 0 --json ";
  for (const std::string how : {"reader left", "closed"}) {
    const test::TempTree dir;
    const fs::path out = dir.root() / "out.json", err = dir.root() / "err", rc = dir.root() / "rc";
    const std::string run = test::built("ipc_bench") + " " + endless + out.string() + " 2>" + err.string();
    const std::string line = how == "closed" ? run + " >&-; echo $? >" + rc.string()
                                             : "{ " + run + "; echo $? >" + rc.string() + "; } | head -c 1 >/dev/null";
    const auto result = test::run_command({"/bin/sh", "-c", line});
    ASSERT_EQ(result.exit_code, 0) << how << ": " << result.err;
    int status = -1;
    std::ifstream(rc) >> status;
    EXPECT_EQ(status, 1) << how;
    std::ifstream err_in(err);
    const std::string said((std::istreambuf_iterator<char>(err_in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(test::lines(said).size(), 1u) << how << ": " << said;
    EXPECT_NE(said.find(how == "closed" ? "cannot write standard output: Bad file descriptor"
                                        : "cannot write standard output: Broken pipe"),
              std::string::npos)
        << how << ": " << said;
    const nlohmann::json json = read_json(out);
    ASSERT_EQ(json.at("benchmarks").size(), 1u) << how << ": " << json.dump();
    EXPECT_EQ(json.at("benchmarks")[0].at("error_message").get<std::string>().rfind("interrupted by standard output", 0),
              0u)
        << how;
  }
}

TEST(Streams, HelpFitsAHundredColumnsAndNamesEveryValue) {
  const auto result = test::run_command({test::built("ipc_bench"), "--help"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::vector<std::string> lines = test::lines(result.out);
  ASSERT_GT(lines.size(), 20u);
  for (const std::string& line : lines) {
    EXPECT_LE(line.size(), 100u) << line;
    // CLI11's own type names and validators are not for users.
    for (const char* internal : {"TEXT", "ENUM", "UINT", "INT ", "->", "OR {"})
      EXPECT_EQ(line.find(internal), std::string::npos) << line;
  }
  // Each option's line: its names, then its value's name where it takes one.
  const std::regex option(R"(^  (-\w,)?--[a-z-]+( [A-Za-z:,|]+)? +\S)");
  for (const char* name : {"--transports LIST", "--payload SIZES", "--iterations N", "--timeout SECONDS",
                           "--json FILE", "--md FILE", "--check sampled|full", "--rate LIST", "--duration TIME",
                           "--cpus A,B", "--consumer-cmd CMD", "--remote HOST:PORT"}) {
    const auto line = std::ranges::find_if(lines, [&](const std::string& l) { return l.find(name) != std::string::npos; });
    ASSERT_NE(line, lines.end()) << name << "\n" << result.out;
    EXPECT_TRUE(std::regex_search(*line, option)) << *line;
  }
}

TEST(Streams, ABadCheckIsOneLineOfOurs) {
  for (const char* value : {"half", ""}) {
    const auto result = test::run_command({test::built("ipc_bench"), "--check", value});
    EXPECT_EQ(result.exit_code, 2) << value;
    const auto err = test::lines(result.err);
    ASSERT_EQ(err.size(), 1u) << result.err;
    EXPECT_EQ(err[0], fmt::format("ipc_bench: invalid --check '{}': expected sampled or full (see ipc_bench --help)", value));
  }
}

TEST(Streams, ListIsAlignedInColumns) {
  const auto result = test::run_command({test::built("ipc_bench"), "--list"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::size_t entries = 0;
  for (const std::string& line : test::lines(result.out)) {
    EXPECT_LE(line.size(), 100u) << line;
    // An entry: its name, padded to 16 columns, then the description; a
    // continuation: 16 spaces, then the rest of the description.
    ASSERT_GT(line.size(), 16u) << line;
    EXPECT_EQ(line[15], ' ') << line;
    EXPECT_NE(line[16], ' ') << line;
    if (line[0] != ' ') ++entries;
  }
  EXPECT_GE(entries, 20u) << result.out;
}

// --benchmark_report_aggregates_only leaves the files the aggregates, and
// the summary its max: the largest round trip of every repetition.
TEST(Streams, AggregatesOnlyKeepTheSummarysMax) {
  const test::TempTree dir;
  const fs::path out = dir.root() / "out.json";
  const auto result = test::run_command({test::built("ipc_bench"), "-t", "pipe", "-n", "200", "--warmup", "0", "-r",
                                         "2", "--benchmark_report_aggregates_only=true", "--json", out.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // Held by name: a range over a temporary's member would outlive it.
  const nlohmann::json json = read_json(out);
  EXPECT_EQ(json.at("benchmarks").size(), 4u);
  for (const auto& b : json.at("benchmarks")) EXPECT_EQ(b.at("run_type"), "aggregate") << b.dump();
  const std::vector<std::string> lines = test::lines(result.out);
  const auto header = std::ranges::find_if(lines, [](const std::string& l) { return l.starts_with("transport "); });
  ASSERT_NE(header, lines.end()) << result.out;
  ASSERT_NE(header + 1, lines.end());
  std::vector<std::string> head, row;
  std::istringstream h(*header), r(*(header + 1));
  for (std::string w; h >> w;) head.push_back(w);
  for (std::string w; r >> w;) row.push_back(w);
  const auto max = std::ranges::find(head, "max");
  ASSERT_NE(max, head.end()) << *header;
  // Each figure is "<number> <unit>": two words in the row for one header word.
  const std::size_t at = 3 + 2 * static_cast<std::size_t>(max - head.begin() - 3) + 1;  // "4 B" is two words too
  ASSERT_LT(at + 1, row.size()) << *(header + 1);
  EXPECT_GT(std::stod(row[at]), 0.0) << *(header + 1);
}

// Google Benchmark reports a repeated benchmark's repetitions and its
// aggregates in two reports: the files keep exactly what the flags ask for,
// one entry per name and kind.
TEST(Streams, EachAggregatesFlagKeepsItsEntriesInTheFile) {
  const test::TempTree dir;
  const fs::path out = dir.root() / "out.json";
  for (const auto& [flag, iterations] : {std::pair{"--benchmark_report_aggregates_only=true", 0},
                                         std::pair{"--benchmark_display_aggregates_only=true", 2},
                                         std::pair{"--benchmark_report_aggregates_only=false", 2}}) {
    const auto result = test::run_command({test::built("ipc_bench"), "-t", "pipe", "-n", "100", "--warmup", "0", "-r",
                                           "2", flag, "--json", out.string()});
    ASSERT_EQ(result.exit_code, 0) << flag << result.err;
    std::map<std::string, int> kinds;
    const nlohmann::json json = read_json(out);
    for (const auto& b : json.at("benchmarks")) ++kinds[b.at("run_type").get<std::string>()];
    EXPECT_EQ(kinds["iteration"], iterations) << flag;
    EXPECT_EQ(kinds["aggregate"], 4) << flag;
  }
}

}  // namespace
}  // namespace ipc

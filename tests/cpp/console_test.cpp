// What a user reads: the default console (the summary, 100 columns), --md,
// --list, skipped pairs, names with -r, and the cautions of a disturbed run.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ipc/placement.hpp"
#include "test_support.hpp"

namespace ipc {
namespace {

namespace fs = std::filesystem;

test::CommandResult ipc_bench(std::vector<std::string> args) {
  args.insert(args.begin(), test::built("ipc_bench"));
  return test::run_command(args, std::chrono::seconds(120));
}

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("ipc_bench_console_" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::set<std::string> names_in(const fs::path& path) {
  std::set<std::string> names;
  const nlohmann::json json = nlohmann::json::parse(slurp(path));  // alive while iterated
  for (const auto& b : json.at("benchmarks")) names.insert(b.at("name").get<std::string>());
  return names;
}

// Every line but the messages, which stay whole on one line (a failure, a
// rate not held).
void expect_fits_100_columns(const std::string& text) {
  for (const std::string& line : test::lines(text)) {
    if (!line.starts_with("FAILED ") && !line.starts_with("rate not held: ")) {
      EXPECT_LE(line.size(), 100u) << line;
    }
  }
}

TEST(Console, RepetitionsOptionAndFlagNameResultsTheSame) {
  const TempDir dir;
  const auto a = ipc_bench({"-t", "pipe", "-n", "200", "-r", "2", "--json", (dir.path / "a.json").string()});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const auto b = ipc_bench(
      {"-t", "pipe", "-n", "200", "--benchmark_repetitions=2", "--json", (dir.path / "b.json").string()});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  const auto names = names_in(dir.path / "a.json");
  EXPECT_EQ(names, names_in(dir.path / "b.json"));
  for (const std::string& name : names) EXPECT_EQ(name.find("/repeats:"), std::string::npos) << name;
}

TEST(Console, DefaultIsTheSummaryAloneWithTheMachineFirst) {
  const auto result = ipc_bench({"-t", "pipe", "-n", "200"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto lines = test::lines(result.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_TRUE(lines[0].starts_with("ipc_bench ")) << lines[0];
  // The machine line wraps at 100 columns (a sanitizer build adds a note to it).
  EXPECT_NE(result.out.substr(0, result.out.find("\n\n")).find("clock source"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("Iterations"), std::string::npos) << "Google Benchmark's table shown: " << result.out;
  EXPECT_EQ(result.err.find("Library was built as DEBUG"), std::string::npos) << result.err;
  const auto table = ipc_bench({"-t", "pipe", "-n", "200", "--gb-table"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("pipe/payload:4/placement:"), std::string::npos) << table.out;
  EXPECT_EQ(table.err.find("Library was built as DEBUG"), std::string::npos) << table.err;
}

TEST(Console, SummaryFitsOneHundredColumnsWithTheLongestNames) {
  // unix_seqpacket and uring_msg_ring are the longest names; a cv column
  // (-r) and a rate column (--rate) are the widest tables.
  const auto closed = ipc_bench({"-t", "pipe,unix_seqpacket,uring_msg_ring", "-n", "200", "-p", "128K"});
  ASSERT_EQ(closed.exit_code, 0) << closed.err;
  expect_fits_100_columns(closed.out);
  const auto widest = ipc_bench({"-t", "pipe,unix_seqpacket,uring_msg_ring", "-n", "200", "-r", "2", "--rate",
                                 "closed,2k", "-p", "128K"});
  ASSERT_EQ(widest.exit_code, 0) << widest.err;
  expect_fits_100_columns(widest.out);
  EXPECT_NE(widest.out.find(" cv"), std::string::npos) << widest.out;
  EXPECT_NE(widest.out.find(" rate"), std::string::npos) << widest.out;
}

TEST(Console, ListShowsSizesAsPeopleWriteThemInOneHundredColumns) {
  const auto result = ipc_bench({"--list"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  expect_fits_100_columns(result.out);
  EXPECT_EQ(result.out.find(" bytes)"), std::string::npos) << result.out;
  // Each size is followed by how the transport fans out.
  EXPECT_NE(result.out.find("(max payload 65507 B;"), std::string::npos) << result.out;  // udp
  EXPECT_TRUE(result.out.find(" MiB;") != std::string::npos || result.out.find(" KiB;") != std::string::npos)
      << result.out;
}

TEST(Console, SkippedPairsAreInTheSummaryWithTheReason) {
  const auto result = ipc_bench({"-t", "shm_spin,pipe", "--placement", "same", "-n", "100"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // The reason in the row's place, where the figures would be, wrapped
  // under its own start; said nowhere else.
  const std::vector<std::string> out = test::lines(result.out);
  const auto row = std::ranges::find_if(out, [](const std::string& line) { return line.starts_with("shm_spin "); });
  ASSERT_NE(row, out.end()) << result.out;
  const std::size_t at = row->find("skipped: a busy-waiting consumer sharing the producer's CPU");
  ASSERT_NE(at, std::string::npos) << *row;
  std::istringstream words(row->substr(0, at));
  std::vector<std::string> w;
  for (std::string word; words >> word;) w.push_back(word);
  EXPECT_EQ(w, (std::vector<std::string>{"shm_spin", "4", "B", "same"})) << *row;
  ASSERT_NE(row + 1, out.end());
  EXPECT_EQ((row + 1)->find_first_not_of(' '), at) << result.out;
  for (const std::string& line : out) EXPECT_LE(line.size(), 100u) << line;
  EXPECT_EQ(result.out.find("busy-waiting"), result.out.rfind("busy-waiting")) << result.out;
  EXPECT_EQ(result.err.find("busy-waiting"), std::string::npos) << result.err;
}

TEST(Console, MarkdownHasTheMachineLineTheHeaderAndUnitsInEveryCell) {
  const TempDir dir;
  const fs::path md = dir.path / "summary.md";
  const auto result = ipc_bench({"-t", "pipe,shm_spin", "-n", "200", "--placement", "same", "--md", md.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto lines = test::lines(slurp(md));
  ASSERT_GE(lines.size(), 8u) << slurp(md);
  EXPECT_TRUE(lines[0].starts_with("ipc_bench ")) << lines[0];
  for (const char* part : {"CPUs allowed", "clock source", "CPUs same="}) EXPECT_NE(lines[0].find(part), std::string::npos) << lines[0];
  EXPECT_EQ(lines[1], "");
  // The floor and noise of the one CPU pair, as on the console.
  EXPECT_TRUE(lines[2].starts_with("CPUs ")) << lines[2];
  EXPECT_NE(lines[2].find(": floor cache line -, wake-up "), std::string::npos) << lines[2];
  EXPECT_EQ(lines[3], "");
  EXPECT_EQ(lines[4],
            "| transport | payload | placement | mean | round trips/s | p50 | p99 | max | cpu P | cpu C | vs best |");
  EXPECT_EQ(lines[5], "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  // "<digits and dots><separator><unit>", one of `units`; by hand: std::regex
  // trips GCC 12's -Wmaybe-uninitialized in the ASan build.
  const auto is = [](const std::string& cell, std::string_view separator, std::initializer_list<std::string_view> units) {
    const std::size_t digits = cell.find_first_not_of("0123456789.");
    if (digits == 0 || digits == std::string::npos) return false;
    const std::string_view rest = std::string_view(cell).substr(digits);
    if (!rest.starts_with(separator)) return false;
    return std::ranges::find(units, rest.substr(separator.size())) != units.end();
  };
  std::vector<std::string> cells;
  std::istringstream row(lines[6]);
  for (std::string cell; std::getline(row, cell, '|');) {
    const auto first = cell.find_first_not_of(' ');
    if (first != std::string::npos) cells.push_back(cell.substr(first, cell.find_last_not_of(' ') - first + 1));
  }
  ASSERT_EQ(cells.size(), 11u) << lines[6];
  EXPECT_EQ(cells[0], "pipe");
  EXPECT_EQ(cells[1], "4 B");
  EXPECT_EQ(cells[2], "same");
  for (const int c : {3, 5, 6, 7}) EXPECT_TRUE(is(cells[c], " ", {"ns", "us", "ms", "s"})) << cells[c];
  EXPECT_TRUE(is(cells[4], " ", {"M/s", "k/s", "/s"})) << cells[4];
  for (const int c : {8, 9}) EXPECT_TRUE(is(cells[c], "", {"%"})) << cells[c];
  EXPECT_EQ(cells[10], "1.0x");
  EXPECT_EQ(lines[7].rfind("| shm_spin | 4 B | same | skipped: a busy-waiting consumer", 0), 0u) << lines[7];
}

TEST(Console, MarkdownThatCannotBeWrittenIsOneLineAndNothingRuns) {
  const auto result = ipc_bench({"-t", "pipe", "-n", "100", "--md", "/nonexistent/dir/out.md"});
  EXPECT_EQ(result.exit_code, 2);
  const auto err = test::lines(result.err);
  ASSERT_EQ(err.size(), 1u) << result.err;
  EXPECT_NE(err[0].find("cannot write --md file '/nonexistent/dir/out.md'"), std::string::npos) << err[0];
}

TEST(Console, MarkdownWriteFailureAfterTheRunExitsOne) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full here";
  const auto result = ipc_bench({"-t", "pipe", "-n", "100", "--md", "/dev/full"});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find("cannot write '/dev/full'"), std::string::npos) << result.err;
}

TEST(Console, JsonContextHasWarnings) {
  const TempDir dir;
  const fs::path out = dir.path / "out.json";
  const auto result = ipc_bench({"-t", "pipe", "-n", "100", "--json", out.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto context = nlohmann::json::parse(slurp(out)).at("context");
  ASSERT_TRUE(context.contains("warnings")) << context.dump();
  const std::string warnings = context.at("warnings").get<std::string>();
  EXPECT_FALSE(warnings.empty());
  // Each cause on stderr once, the same as in the JSON.
  if (warnings != "none") {
    std::size_t start = 0;
    for (std::size_t end; start <= warnings.size(); start = end + 2) {
      end = warnings.find("; ", start);
      if (end == std::string::npos) end = warnings.size();
      EXPECT_NE(test::unwrapped(result.err).find("ipc_bench: caution: " + warnings.substr(start, end - start)),
                std::string::npos)
          << result.err;
    }
  }
}

// A shell loop spinning on one CPU, killed and reaped at the end.
class CpuHog {
 public:
  explicit CpuHog(int cpu) {
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string list = std::to_string(cpu);
      ::execlp("taskset", "taskset", "-c", list.c_str(), "sh", "-c", "while :; do :; done", nullptr);
      ::_exit(127);
    }
  }
  CpuHog(const CpuHog&) = delete;
  CpuHog& operator=(const CpuHog&) = delete;
  ~CpuHog() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  [[nodiscard]] pid_t pid() const { return pid_; }
  // Its CPU time so far, in clock ticks (utime + stime of /proc/<pid>/stat,
  // summed over the shell that taskset became).
  [[nodiscard]] double cpu_ticks() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream fields(text.substr(close + 2));
    std::vector<std::string> f;
    for (std::string word; fields >> word;) f.push_back(word);
    return f.size() > 12 ? std::stod(f[11]) + std::stod(f[12]) : 0;
  }

 private:
  pid_t pid_ = -1;
};

TEST(Console, ABusyProcessOnTheProducersCpuIsACaution) {
  const std::vector<int> allowed = allowed_cpus();
  if (allowed.size() < 2) GTEST_SKIP() << "one CPU allowed: the run and the hog would share it by design";
  const TempDir dir;
  const fs::path out = dir.path / "out.json";
  const CpuHog hog(allowed[0]);
  ASSERT_GT(hog.pid(), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // exec'd and spinning
  const double ticks_before = hog.cpu_ticks();
  const auto started = std::chrono::steady_clock::now();
  const auto result = ipc_bench({"-t", "pipe", "-n", "200", "--cpus", fmt::format("{},{}", allowed[0], allowed[1]),
                                 "--json", out.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // The caution names a process that used a quarter of a CPU or more: on a
  // machine so loaded that the hog itself got less, it is rightly not named.
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const double share = (hog.cpu_ticks() - ticks_before) / static_cast<double>(::sysconf(_SC_CLK_TCK)) / seconds;
  if (share < 0.3) GTEST_SKIP() << "the hog got " << share * 100 << "% of a CPU: the machine is busier than it";
  const std::string kind = "ipc_bench: caution: other processes busy on the CPUs this run uses: ";
  const std::string hog_named = fmt::format("sh (pid {}) on CPU {}", hog.pid(), allowed[0]);
  const std::string err = test::unwrapped(result.err);
  ASSERT_NE(err.find(kind), std::string::npos) << result.err;
  EXPECT_NE(err.find(hog_named), std::string::npos) << result.err;
  const std::string warnings = nlohmann::json::parse(slurp(out)).at("context").at("warnings").get<std::string>();
  EXPECT_NE(warnings.find(hog_named), std::string::npos) << warnings;
  // One line per cause: before and after the run found it, stderr says it once.
  EXPECT_EQ(err.find(kind), err.rfind(kind)) << result.err;
  // Wrapped to the terminal's 100 columns.
  for (const std::string& line : test::lines(result.err)) EXPECT_LE(line.size(), 100u) << line;
}

}  // namespace
}  // namespace ipc

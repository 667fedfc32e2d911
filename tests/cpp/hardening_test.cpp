// Issue 12: no input, limit or failure kills the run, truncates its output
// or lies in its exit code.  Each test is one example of a kind of fault;
// the right value is asserted.
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "ipc/child_process.hpp"
#include "ipc/unique_fd.hpp"
#include "test_support.hpp"

namespace ipc {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

test::CommandResult ipc_bench(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
  args.insert(args.begin(), test::built("ipc_bench"));
  return test::run_command(args, std::chrono::seconds(120), env);
}

struct Scratch {
  fs::path path = fs::temp_directory_path() / fmt::format("ipc_bench_hardening_{}", ::getpid());
  Scratch() { fs::create_directories(path); }
  ~Scratch() { fs::remove_all(path); }
};

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

nlohmann::json read_json(const fs::path& path) { return nlohmann::json::parse(slurp(path)); }

bool is_root() { return ::geteuid() == 0; }

// A consumer directory whose pipe_consumer fails at once (exit 1) and whose
// udp_consumer is the real one.
struct FailingPipeConsumer : Scratch {
  FailingPipeConsumer() {
    fs::create_symlink("/bin/false", path / "pipe_consumer");
    fs::create_symlink(test::built("udp_consumer"), path / "udp_consumer");
  }
  [[nodiscard]] std::string env() const { return "IPC_BENCH_CONSUMER_DIR=" + path.string(); }
};

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// --- 1. Exhausting a resource fails that benchmark, not the process --------

// Every benchmark of `json` either succeeded (pipe) or failed with a message
// containing `reason`.
void expect_only_shared_ones_failed(const nlohmann::json& json, const std::string& reason) {
  ASSERT_GE(json.at("benchmarks").size(), 2u) << json.dump();
  for (const auto& b : json.at("benchmarks")) {
    const std::string name = b.at("run_name");
    if (name.starts_with("pipe/")) {
      EXPECT_FALSE(b.value("error_occurred", false)) << b.dump();
    } else {
      EXPECT_TRUE(b.value("error_occurred", false)) << name;
      EXPECT_NE(b.value("error_message", "").find(reason), std::string::npos) << b.dump();
    }
  }
}

TEST(Hardening, SmallShmAndTmpFileSystemsFailTheirBenchmarksOnly) {
  if (!is_root()) GTEST_SKIP() << "needs root to mount small tmpfs file systems in a mount namespace; skipped";
  const Scratch dir;
  const fs::path out = dir.path / "r.json";
  const auto result = test::run_command(
      {"/usr/bin/unshare", "-m", "/bin/sh", "-c",
       fmt::format("mount --make-rprivate / && mount -t tmpfs -o size=64k tmpfs /dev/shm && mkdir {0}/tmp && "
                   "mount -t tmpfs -o size=64k tmpfs {0}/tmp && TMPDIR={0}/tmp exec {1} -t "
                   "shm_spin,eventfd,shm_futex,mmap_file,pipe -p 1M --placement none -n 20 --warmup 0 --json {2}",
                   dir.path.string(), test::built("ipc_bench"), out.string())});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  expect_only_shared_ones_failed(read_json(out), "has 65536 bytes free");
}

TEST(Hardening, ZeroMqWithFewDescriptorsFailsCleanlyAndTheOthersRun) {
  // How many descriptors are left depends on what the test inherits: at 8
  // none are, at 12 and 16 some; libzmq aborted at several such limits.
  if (test::build_slowdown() > 1)
    GTEST_SKIP() << "sanitizer tree: with 8 descriptors UBSan's vptr check halts about half the runs in the noise "
                    "probe's std::thread start-up (not yet understood); the Release tree runs this test";
  const Scratch dir;
  const fs::path out = dir.path / "r.json";
  for (const int limit : {8, 12, 16}) {
    const auto result = test::run_command(
        {"/bin/sh", "-c",
         fmt::format("ulimit -n {} && exec {} -t zmq_ipc,zmq_tcp,pipe --placement none -n 100 --warmup 0 --json {}",
                     limit, test::built("ipc_bench"), out.string())});
    EXPECT_TRUE(result.exit_code == 0 || result.exit_code == 1) << limit << ": " << result.exit_code << result.err;
    const nlohmann::json json = read_json(out);  // complete
    ASSERT_EQ(json.at("benchmarks").size(), 3u) << limit;
    for (const auto& b : json.at("benchmarks")) {
      const std::string name = b.at("run_name");
      if (!name.starts_with("zmq") || !b.value("error_occurred", false)) continue;
      EXPECT_NE(b.at("error_message").get<std::string>().find("raise ulimit -n"), std::string::npos) << b.dump();
    }
    if (limit == 8) {
      for (int i = 0; i < 2; ++i) EXPECT_TRUE(json.at("benchmarks")[i].value("error_occurred", false)) << limit;
    }
  }
}

// --- 8. Message-queue limits are refused before the run ----------------------

TEST(Hardening, MessageQueueSysctlsAreRefusedWithTheSysctlToRaise) {
  if (!is_root()) GTEST_SKIP() << "needs root to set fs.mqueue sysctls in an IPC namespace; skipped";
  for (const auto& [sysctl, remedy] : {std::pair{"queues_max", "sysctl fs.mqueue.queues_max=2"},
                                       std::pair{"msg_max", "sysctl fs.mqueue.msg_max=2"}}) {
    const auto result = test::run_command(
        {"/usr/bin/unshare", "-i", "/bin/sh", "-c",
         fmt::format("echo 1 > /proc/sys/fs/mqueue/{} && exec {} -t posix_mq -n 10", sysctl, test::built("ipc_bench"))});
    EXPECT_EQ(result.exit_code, 2) << sysctl;
    const auto err = test::lines(result.err);
    ASSERT_EQ(err.size(), 1u) << result.err;
    EXPECT_NE(err[0].find("posix_mq cannot run on this system"), std::string::npos) << err[0];
    EXPECT_NE(err[0].find(remedy), std::string::npos) << err[0];
  }
}

// --- 2. Google Benchmark's internal checks never abort the run -------------

class BenchmarkFlag : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(BenchmarkFlag, BadValueIsOneLineAndExitTwo) {
  const auto& [flag, expected] = GetParam();
  const auto result = ipc_bench({"-t", "pipe", "-n", "100", flag});
  EXPECT_EQ(result.exit_code, 2);
  const auto err = test::lines(result.err);
  ASSERT_EQ(err.size(), 1u) << result.err;
  EXPECT_NE(err[0].find(expected), std::string::npos) << err[0];
  EXPECT_TRUE(result.out.empty()) << result.out;
}

INSTANTIATE_TEST_SUITE_P(
    Hardening, BenchmarkFlag,
    ::testing::Values(std::pair{"--benchmark_repetitions=0", "invalid --benchmark_repetitions=0"},
                      std::pair{"--benchmark_repetitions=-3", "invalid --benchmark_repetitions=-3"},
                      std::pair{"--benchmark_min_time=-1", "invalid --benchmark_min_time=-1"},
                      std::pair{"--benchmark_min_time=nan", "invalid --benchmark_min_time=nan"},
                      std::pair{"--benchmark_filter=(", "invalid --benchmark_filter=("},
                      std::pair{"--benchmark_format=xml", "invalid --benchmark_format=xml"},
                      std::pair{"--benchmark_out_format=yaml", "invalid --benchmark_out_format=yaml"},
                      std::pair{"--benchmark_out=", "--benchmark_out needs a file name"},
                      std::pair{"--benchmark_time_unit=min", "invalid --benchmark_time_unit=min"},
                      std::pair{"--benchmark_report_aggregates_only=maybe", "expected true or false"},
                      std::pair{"--benchmark_perf_counters=CYCLES", "--benchmark_perf_counters is not supported"},
                      std::pair{"--benchmark_out=/nonexistent-dir/x.csv", "cannot write --benchmark_out file"}));

// (failed, succeeded) iteration runs in `json`; every run reports the planned count.
std::pair<int, int> repetition_outcomes(const nlohmann::json& json, std::vector<std::string>& errors) {
  int failed = 0, succeeded = 0;
  for (const auto& b : json.at("benchmarks")) {
    if (b.at("run_type") != "iteration") continue;
    EXPECT_EQ(b.at("iterations"), 200) << b.dump();
    if (b.value("error_occurred", false)) {
      ++failed;
      errors.push_back(b.at("error_message").get<std::string>());
    } else {
      ++succeeded;
    }
  }
  return {failed, succeeded};
}

TEST(Hardening, AFailedLaterRepetitionIsReportedAndTheOthersKept) {
  // The consumer sends a short pong at its 250th round trip and exits: the
  // second repetition (round trips 201-400) fails, the third starts a new
  // consumer and succeeds.
  const Scratch dir;
  const fs::path out = dir.path / "out.json";
  const auto result = ipc_bench({"-t", "pipe", "-n", "200", "-r", "3", "--warmup", "0", "--consumer-cmd",
                                 test::built("faulty_pipe_consumer"), "--json", out.string()},
                                {"FAULTY_CONSUMER=short:250"});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  std::vector<std::string> errors;
  EXPECT_EQ(repetition_outcomes(read_json(out), errors), std::make_pair(1, 2));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("round trip 250: short message"), std::string::npos) << errors[0];
}

TEST(Hardening, AFailedFirstRepetitionFailsTheRestWithoutAnAbort) {
  // The first start of the consumer fails, later ones would succeed; Google
  // Benchmark 1.7.1 cannot aggregate around a failed first repetition, so the
  // others are not run, and say why.
  const Scratch dir;
  const fs::path consumer = dir.path / "flaky_consumer";
  std::ofstream(consumer) << fmt::format(
      "#!/bin/sh\nif mkdir {0}/started 2>/dev/null; then exit 1; fi\nexec {1} \"$@\"\n", dir.path.string(),
      test::built("pipe_consumer"));
  fs::permissions(consumer, fs::perms::owner_all);
  const fs::path out = dir.path / "out.json";
  const auto result = ipc_bench({"-t", "pipe", "-n", "200", "-r", "3", "--warmup", "0", "--consumer-cmd",
                                 consumer.string(), "--json", out.string()});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  std::vector<std::string> errors;
  EXPECT_EQ(repetition_outcomes(read_json(out), errors), std::make_pair(3, 0));
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_NE(errors[0].find("exited with status 1"), std::string::npos) << errors[0];
  for (const std::size_t i : {1u, 2u})
    EXPECT_EQ(errors[i].rfind("not run: the first run of this benchmark failed (", 0), 0u) << errors[i];
}

TEST(Hardening, CsvWithAFailedFirstBenchmarkHoldsEveryRun) {
  const FailingPipeConsumer consumers;
  const fs::path csv = consumers.path / "x.csv";
  const auto result = ipc_bench({"-t", "pipe,udp", "--placement", "none", "-n", "100", "--warmup", "0",
                                 "--benchmark_out=" + csv.string(),
                                 "--benchmark_out_format=csv"},
                                {consumers.env()});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  const std::string text = slurp(csv);
  EXPECT_NE(text.find("\"p99_ns\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"pipe/payload:4/placement:none/iterations:100/real_time\",,,,,,,,true,"), std::string::npos)
      << text;
  EXPECT_NE(text.find("\"udp/payload:4/placement:none/iterations:100/real_time\",100,"), std::string::npos) << text;

  // The same on standard output.
  const auto shown = ipc_bench({"-t", "pipe,udp", "--placement", "none", "-n", "100", "--warmup", "0",
                                "--benchmark_format=csv"},
                               {consumers.env()});
  EXPECT_EQ(shown.exit_code, 1) << shown.err;
  EXPECT_NE(shown.out.find("\"udp/payload:4/placement:none/iterations:100/real_time\",100,"), std::string::npos)
      << shown.out;
}

// --- 3. An output that cannot be written is an error -----------------------

TEST(Hardening, JsonOnAFullDeviceIsAnError) {
  const auto result = ipc_bench({"-t", "pipe", "-n", "100", "--warmup", "0", "--json", "/dev/full"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(test::lines(result.err).back(), "ipc_bench: cannot write '/dev/full': No space left on device");
}

TEST(Hardening, StandardOutputOnAFullDeviceIsAnError) {
  const auto result = test::run_command(
      {"/bin/sh", "-c", fmt::format("exec {} -t pipe -n 100 --warmup 0 >/dev/full", test::built("ipc_bench"))});
  EXPECT_EQ(result.exit_code, 1);
  // The run ends at the first benchmark whose line could not be written, and
  // says which.
  EXPECT_TRUE(test::lines(result.err).back().starts_with(
      "ipc_bench: cannot write standard output: No space left on device; the run stopped at pipe/"))
      << result.err;
}

TEST(Hardening, JsonOnAFullFileSystemIsAnErrorAndLeavesNoPartialFile) {
  if (!is_root()) GTEST_SKIP() << "needs root to mount a 4 KiB tmpfs; skipped";
  const Scratch dir;
  const auto result = test::run_command(
      {"/usr/bin/unshare", "-m", "/bin/sh", "-c",
       fmt::format("mount -t tmpfs -o size=4k tmpfs {0} && {1} -t pipe,udp,tcp_nodelay -p 4,64,4K -n 100 --warmup 0 "
                   "--json {0}/r.json; status=$?; ls {0}; exit $status",
                   dir.path.string(), test::built("ipc_bench"))});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find("cannot write '" + dir.path.string() + "/r.json': No space left on device"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(result.out.find("r.json"), std::string::npos) << "a partial file was left: " << result.out;
}

// --- 4. Nothing ran: exit 2 ------------------------------------------------

TEST(Hardening, FilterThatMatchesNothingIsExitTwo) {
  const auto result = ipc_bench({"-t", "pipe", "--placement", "none", "--benchmark_filter=nomatch"});
  EXPECT_EQ(result.exit_code, 2);
  const auto err = test::lines(result.err);
  ASSERT_EQ(err.size(), 1u) << result.err;
  EXPECT_EQ(err[0],
            "ipc_bench: nothing left to run: --benchmark_filter=nomatch matches none of the 1 benchmarks "
            "(pipe/payload:4/placement:none)");
}

TEST(Hardening, EveryBenchmarkSkippedIsExitTwo) {
  const auto result = ipc_bench({"-t", "shm_spin,mmap_file", "--placement", "same"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(test::lines(result.err).back(),
            "ipc_bench: nothing left to run: every benchmark asked for was skipped (the reasons are above)");
  EXPECT_EQ(result.err.find("Failed to match"), std::string::npos) << result.err;
}

// --- 5. A rejected command line leaves no file -----------------------------

TEST(Hardening, RejectedCommandLineLeavesNoJson) {
  const Scratch dir;
  const fs::path out = dir.path / "e.json";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--token", "X"}, {"--consumer-cmd", "nosuch-consumer-anywhere"},
        {"-t", "pipe", "--benchmark_filter=nomatch"}, {"-t", "shm_spin", "--placement", "same"}}) {
    std::vector<std::string> with_json{"--json", out.string(), "--benchmark_out=" + (dir.path / "o.json").string()};
    with_json.insert(with_json.end(), args.begin(), args.end());
    const auto result = ipc_bench(with_json);
    EXPECT_NE(result.exit_code, 0) << args.front();
    EXPECT_FALSE(fs::exists(out)) << args.front();
    EXPECT_FALSE(fs::exists(dir.path / "o.json")) << args.front();
  }
}

// --- 6. One transport's limit skips its pairs, not the sweep ---------------

TEST(Hardening, PayloadSweepSkipsOnlyThePairsThatDoNotFit) {
  const Scratch dir;
  const fs::path out = dir.path / "out.json";
  const auto result =
      ipc_bench({"-t", "pipe,udp", "-p", "4,32K,1M", "-n", "20", "--warmup", "0", "--json", out.string()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  // Google Benchmark's context goes to stderr too: ipc_bench's own lines
  // only, without the cautions, which depend on the machine's state.
  // The skipped pair is said once, in its summary row, not on stderr.
  for (const std::string& line : test::lines(result.err)) EXPECT_FALSE(line.starts_with("ipc_bench: skipping")) << line;
  const std::vector<std::string> rows = test::lines(test::unwrapped(result.out));
  EXPECT_EQ(std::ranges::count_if(rows,
                                  [](const std::string& row) {
                                    return row.starts_with("udp ") && row.find(" 1 MiB ") != std::string::npos &&
                                           row.ends_with(" skipped: payload 1048576 bytes exceeds udp's maximum of "
                                                         "65507 bytes");
                                  }),
            1)
      << result.out;
  std::multiset<std::string> names;
  const nlohmann::json json = read_json(out);
  for (const auto& b : json.at("benchmarks")) names.insert(b.at("run_name").get<std::string>().substr(0, 18));
  EXPECT_EQ(names, (std::multiset<std::string>{"pipe/payload:4/pla", "pipe/payload:32768", "pipe/payload:10485",
                                              "udp/payload:4/plac", "udp/payload:32768/"}));
}

TEST(Hardening, PayloadNoChosenTransportCarriesIsRefused) {
  const auto result = ipc_bench({"-t", "udp,unix_dgram", "-p", "4,200K"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("exceeds udp's maximum of 65507 bytes"), std::string::npos) << result.err;
}

// --- 2 and 9. A stop signal: one line, the summary of what completed --------

struct Interrupted {
  int exit_code = -1;
  std::string out, err;
};

// Runs ipc_bench with `args`, sends SIGINT once a consumer has run for a
// while, and collects what it wrote.
Interrupted interrupt(const std::vector<std::string>& args, const fs::path& dir) {
  const UniqueFd out(::open((dir / "stdout").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  const UniqueFd err(::open((dir / "stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  ChildProcess bench = ChildProcess::spawn(
      {test::built("ipc_bench"), args, {{out.get(), STDOUT_FILENO}, {err.get(), STDERR_FILENO}}, {}});
  const auto give_up = std::chrono::steady_clock::now() + 30s;
  while (test::children_of(bench.pid()).empty() && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(10ms);
  std::this_thread::sleep_for(300ms);
  ::kill(bench.pid(), SIGINT);
  const auto status = bench.wait_for(60s);
  Interrupted result;
  if (status) result.exit_code = status->signal != 0 ? 128 + status->signal : status->code;
  result.out = slurp(dir / "stdout");
  result.err = slurp(dir / "stderr");
  return result;
}

TEST(Hardening, InterruptedRepetitionsLeaveCompleteJsonAndExit130) {
  const Scratch dir;
  const fs::path json_path = dir.path / "int.json";
  const auto result =
      interrupt({"-t", "pipe,udp", "-n", "1000000000", "-r", "5", "--warmup", "0", "--json", json_path.string()},
                dir.path);
  EXPECT_EQ(result.exit_code, 130) << result.err;
  const nlohmann::json json = read_json(json_path);  // throws if cut short
  ASSERT_FALSE(json.at("benchmarks").empty());
  EXPECT_EQ(json.at("benchmarks")[0].at("error_message"), "interrupted by SIGINT");
  for (const auto& b : json.at("benchmarks"))
    EXPECT_TRUE(b.at("run_name").get<std::string>().starts_with("pipe/")) << "a benchmark never started is listed";
}

TEST(Hardening, InterruptIsOneLineAndNoFailures) {
  const Scratch dir;
  const auto result = interrupt({"-p", "4,4K", "-n", "1000000000", "--warmup", "0"}, dir.path);
  EXPECT_EQ(result.exit_code, 130) << result.err;
  const auto err = test::lines(result.err);
  ASSERT_FALSE(err.empty());
  EXPECT_TRUE(err.back().starts_with("ipc_bench: interrupted by SIGINT at ")) << err.back();
  EXPECT_EQ(count(result.out + result.err, "interrupted"), 1u) << result.out << result.err;
  EXPECT_EQ(count(result.out, "FAILED"), 0u) << result.out;
  EXPECT_EQ(count(result.out, "ERROR OCCURRED"), 0u) << result.out;
}

}  // namespace
}  // namespace ipc

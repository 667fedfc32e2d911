// ipc_bench as a user runs it: bad input, --list, JSON output.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "ipc/placement.hpp"
#include "ipc/registry.hpp"
#include "test_support.hpp"

namespace ipc {
namespace {

namespace fs = std::filesystem;

test::CommandResult ipc_bench(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
  args.insert(args.begin(), test::built("ipc_bench"));
  return test::run_command(args, std::chrono::seconds(120), env);
}

// A scratch directory removed at the end of the test.
struct TempDir {
  fs::path path = fs::temp_directory_path() / ("ipc_bench_test_" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

class BadInput : public ::testing::TestWithParam<std::pair<std::vector<std::string>, std::string>> {};

TEST_P(BadInput, OneLineOnStderrAndExitTwo) {
  const auto& [args, expected] = GetParam();
  const auto result = ipc_bench(args);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(result.out.empty()) << result.out;
  const auto err = test::lines(result.err);
  ASSERT_EQ(err.size(), 1u) << result.err;
  EXPECT_NE(err[0].find(expected), std::string::npos) << err[0];
}

INSTANTIATE_TEST_SUITE_P(
    Cli, BadInput,
    ::testing::Values(std::pair{std::vector<std::string>{"--frobnicate"}, "--frobnicate"},
                      std::pair{std::vector<std::string>{"-t", "carrier_pigeon"}, "unknown transport 'carrier_pigeon'"},
                      std::pair{std::vector<std::string>{"-t", "pipe,nope"}, "unknown transport 'nope'"},
                      std::pair{std::vector<std::string>{"--placement", "sideways"}, "unknown placement 'sideways'"},
                      std::pair{std::vector<std::string>{"-p", "abc"}, "invalid payload 'abc'"},
                      std::pair{std::vector<std::string>{"-p", "-5"}, "invalid payload '-5'"},
                      std::pair{std::vector<std::string>{"-p", "0"}, "invalid payload '0'"},
                      std::pair{std::vector<std::string>{"-t", "udp", "-p", "70000"}, "exceeds udp's maximum of 65507"},
                      std::pair{std::vector<std::string>{"-p", "4,64,17M"}, "maximum"},
                      std::pair{std::vector<std::string>{"-n", "many"}, "invalid --iterations 'many'"},
                      std::pair{std::vector<std::string>{"--timeout", "abc"}, "invalid --timeout 'abc'"},
                      std::pair{std::vector<std::string>{"-r", "2", "--benchmark_repetitions=2"},
                                "give -r or --benchmark_repetitions, not both"},
                      std::pair{std::vector<std::string>{"-n", "0"}, "invalid --iterations '0'"},
                      std::pair{std::vector<std::string>{"--timeout", "-1"}, "invalid --timeout"},
                      std::pair{std::vector<std::string>{"-r", "0"}, "invalid --repetitions '0'"},
                      std::pair{std::vector<std::string>{"--warmup", "5min"}, "invalid --warmup '5min'"},
                      std::pair{std::vector<std::string>{"--warmup", "-1"}, "invalid --warmup '-1'"},
                      std::pair{std::vector<std::string>{"--cpus", "0"}, "invalid --cpus '0'"},
                      std::pair{std::vector<std::string>{"--cpus", "0,4096"}, "CPU 4096"},
                      std::pair{std::vector<std::string>{"--json", "/nonexistent-dir/out.json"}, "cannot write --json file"},
                      std::pair{std::vector<std::string>{"--benchmark_frobnicate=1"}, "--benchmark_frobnicate"}));

// A transport whose maximum depends on the system (a sysctl, an rlimit)
// refuses a larger payload before anything runs, saying how to allow it.
TEST(Cli, PayloadAboveTheSystemsLimitIsRefusedBeforeTheRun) {
  bool checked = false;
  for (const Transport& t : transports()) {
    if (!t.system_limit || max_payload_here(t) >= t.max_payload || max_payload_here(t) == 0) continue;
    const std::size_t payload = max_payload_here(t) + 1;
    const auto result = ipc_bench({"-t", std::string(t.name), "-p", std::to_string(payload)});
    EXPECT_EQ(result.exit_code, 2) << t.name;
    const auto err = test::lines(result.err);
    ASSERT_EQ(err.size(), 1u) << result.err;
    EXPECT_NE(err[0].find(fmt::format("maximum of {} bytes on this system", payload - 1)), std::string::npos)
        << err[0];
    EXPECT_NE(err[0].find(t.system_limit(payload).remedy), std::string::npos) << err[0];
    checked = true;
  }
  if (!checked) GTEST_SKIP() << "no transport has a system limit below its own maximum here";
}

TEST(Cli, ListNamesEveryTransport) {
  const auto result = ipc_bench({"--list"});
  EXPECT_EQ(result.exit_code, 0);
  // One entry per transport; a long description wraps onto indented lines.
  std::vector<std::string> listed;
  for (std::string& line : test::lines(result.out))
    if (!line.starts_with(' ')) listed.push_back(std::move(line));
  ASSERT_EQ(listed.size(), transports().size());
  for (std::size_t i = 0; i < listed.size(); ++i)
    EXPECT_TRUE(listed[i].starts_with(std::string(transports()[i].name) + " ")) << listed[i];
}

TEST(Cli, MissingConsumerNamesThePathAndExitsOne) {
  const auto result = ipc_bench({"-t", "pipe"}, {"IPC_BENCH_CONSUMER_DIR=/nonexistent-consumers"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("/nonexistent-consumers/pipe_consumer"), std::string::npos) << result.err;
  EXPECT_EQ(result.out.find("round trip"), std::string::npos) << "something was timed";
}

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);  // strict: NaN or Infinity would not parse
}

TEST(Cli, JsonHoldsOneResultPerTransportPayloadAndPlacement) {
  const TempDir dir;
  const fs::path out = dir.path / "out.json";
  // split, and shm_spin at none, need two CPUs.
  const bool two_cpus = allowed_cpus().size() >= 2;
  if (!two_cpus) std::cout << "one CPU allowed: placement none only, without shm_spin\n";
  const std::vector<std::string> placements = two_cpus ? std::vector<std::string>{"split", "none"}
                                                       : std::vector<std::string>{"none"};
  const std::vector<std::string> chosen = two_cpus ? std::vector<std::string>{"pipe", "udp", "shm_spin"}
                                                   : std::vector<std::string>{"pipe", "udp"};
  const auto result = ipc_bench({"-t", fmt::format("{}", fmt::join(chosen, ",")), "-p", "4,1K", "--placement",
                                 fmt::format("{}", fmt::join(placements, ",")), "-n", "300", "--warmup", "100",
                                 "--json", out.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json json = read_json(out);

  const auto& context = json.at("context");
  for (const char* key : {"ipc_bench_version", "ipc_bench_build_type", "kernel", "cpu_model", "placement", "timer",
                          "mean_timer"})
    EXPECT_TRUE(context.contains(key)) << key;
  EXPECT_EQ(context.at("placement"), fmt::format("{}", fmt::join(placements, ",")));

  std::multiset<std::string> names;
  for (const auto& b : json.at("benchmarks")) {
    names.insert(b.at("run_name").get<std::string>());
    EXPECT_EQ(b.at("iterations"), 300);
    EXPECT_EQ(b.at("time_unit"), "ns");
    EXPECT_GT(b.at("real_time").get<double>(), 0);
    EXPECT_GT(b.at("items_per_second").get<double>(), 0);
    // Payload both ways, per second.
    EXPECT_NEAR(b.at("bytes_per_second").get<double>(),
                b.at("items_per_second").get<double>() * 2 * std::stod(b.at("run_name").get<std::string>().substr(
                                                                  b.at("run_name").get<std::string>().find("payload:") + 8)),
                b.at("bytes_per_second").get<double>() * 1e-9);
    double previous = 0;
    for (const char* counter : {"min_ns", "p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns"}) {
      ASSERT_TRUE(b.contains(counter)) << counter;
      const double value = b.at(counter).get<double>();
      EXPECT_GT(value, 0) << counter;
      EXPECT_GE(value, previous) << counter << " in " << b.at("name");
      previous = value;
    }
    EXPECT_FALSE(b.contains("error_occurred") && b.at("error_occurred").get<bool>());
  }
  std::multiset<std::string> expected;
  for (const std::string& t : chosen)
    for (const char* p : {"4", "1024"})
      for (const std::string& placement : placements)
        expected.insert(t + "/payload:" + p + "/placement:" + placement + "/iterations:300/real_time");
  EXPECT_EQ(names, expected);
  EXPECT_NE(result.out.find("trips/s"), std::string::npos) << "no summary table";
}

TEST(Cli, AFailingBenchmarkIsReportedAndTheOthersStillRun) {
  const TempDir dir;
  fs::create_symlink("/bin/false", dir.path / "pipe_consumer");
  fs::create_symlink(test::built("udp_consumer"), dir.path / "udp_consumer");
  const fs::path out = dir.path / "out.json";
  const auto result = ipc_bench({"-t", "pipe,udp", "-n", "100", "--json", out.string()},
                                {"IPC_BENCH_CONSUMER_DIR=" + dir.path.string()});
  EXPECT_EQ(result.exit_code, 1);
  const nlohmann::json json = read_json(out);
  ASSERT_EQ(json.at("benchmarks").size(), 2u);
  const auto& pipe = json.at("benchmarks")[0];
  EXPECT_TRUE(pipe.at("error_occurred").get<bool>());
  EXPECT_NE(pipe.at("error_message").get<std::string>().find("exited with status 1"), std::string::npos);
  const auto& udp = json.at("benchmarks")[1];
  EXPECT_FALSE(udp.contains("error_occurred") && udp.at("error_occurred").get<bool>());
  EXPECT_EQ(udp.at("iterations"), 100);
}

TEST(Cli, SpinningTransportAtPlacementSameIsSkippedWithAReason) {
  const auto result = ipc_bench({"-t", "shm_spin,pipe", "--placement", "same", "-n", "100"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  // Said once, in the summary row's place: not on stderr as well.
  EXPECT_EQ(result.err.find("skipping"), std::string::npos) << result.err;
  EXPECT_NE(test::unwrapped(result.out).find("shm_spin      4 B same      skipped: a busy-waiting consumer"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("\npipe "), std::string::npos) << result.out;
}

}  // namespace
}  // namespace ipc

namespace ipc {
namespace {

TEST(ConsumerCli, MissingOrMalformedArgumentsPrintUsageAndExitTwo) {
  for (const Transport& t : transports()) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{}, {"--payload", "lots"}, {"--payload", "4", "--bogus"}}) {
      std::vector<std::string> argv{test::built(std::string(t.consumer))};
      argv.insert(argv.end(), args.begin(), args.end());
      const auto result = test::run_command(argv, std::chrono::seconds(10));
      EXPECT_EQ(result.exit_code, 2) << t.consumer;
      EXPECT_NE(result.err.find("Usage:"), std::string::npos) << t.consumer << ": " << result.err;
    }
  }
}

TEST(ConsumerCli, MalformedEndpointIsAUsageError) {
  for (const char* consumer : {"tcp_consumer", "udp_consumer"}) {
    const auto result = test::run_command({test::built(consumer), "--connect", "localhost", "--payload", "4"},
                                          std::chrono::seconds(10));
    EXPECT_EQ(result.exit_code, 2) << consumer;
    EXPECT_NE(result.err.find("'localhost' is not an IPv4 address and port"), std::string::npos) << result.err;
  }
}

}  // namespace
}  // namespace ipc

// --consumer-cmd: bad input is one line and exit 2; a command that cannot be
// found is exit 1 with its name, before anything is timed; the JSON says
// which consumer ran.
namespace ipc {
namespace {

INSTANTIATE_TEST_SUITE_P(
    ConsumerCommand, BadInput,
    ::testing::Values(std::pair{std::vector<std::string>{"-t", "pipe", "--consumer-cmd", ""}, "--consumer-cmd: the command is empty"},
                      std::pair{std::vector<std::string>{"-t", "pipe", "--consumer-cmd", "  "}, "--consumer-cmd: the command is empty"},
                      std::pair{std::vector<std::string>{"-t", "pipe", "--consumer-cmd", "sh -c 'cat'"},
                                "quotes and backslashes are not supported"}));

TEST(Cli, MissingConsumerCommandNamesItAndExitsOne) {
  for (const auto& [command, expected] :
       {std::pair{"no-such-consumer-anywhere --flag", "no-such-consumer-anywhere not found in PATH"},
        std::pair{"/nonexistent/consumer pipe", "/nonexistent/consumer not found or not executable"},
        std::pair{"/nonexistent/{transport}_consumer", "/nonexistent/udp_consumer not found or not executable"}}) {
    const auto result = ipc_bench({"-t", "udp", "--consumer-cmd", command});
    EXPECT_EQ(result.exit_code, 1) << command;
    const auto err = test::lines(result.err);
    ASSERT_EQ(err.size(), 1u) << result.err;
    EXPECT_NE(err[0].find(expected), std::string::npos) << err[0];
    EXPECT_EQ(result.out.find("round trip"), std::string::npos) << "something was timed";
  }
}

TEST(Cli, JsonSaysWhichConsumerRan) {
  const TempDir dir;
  const fs::path out = dir.path / "out.json";
  auto result = ipc_bench({"-t", "pipe,udp", "-n", "100", "--warmup", "0", "--json", out.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(read_json(out).at("context").at("consumer"),
            "spawned " + test::built("pipe_consumer") + "," + test::built("udp_consumer"));

  // The built-in consumers through --consumer-cmd, by way of env(1).
  const std::string directory = fs::path(test::built("pipe_consumer")).parent_path().string();
  result = ipc_bench({"-t", "pipe,udp", "-n", "100", "--warmup", "0", "--consumer-cmd",
                      "env " + directory + "/{transport}_consumer", "--json", out.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json json = read_json(out);
  const std::string consumer = json.at("context").at("consumer");
  EXPECT_TRUE(consumer.starts_with("command /")) << consumer;
  EXPECT_TRUE(consumer.ends_with("/env " + directory + "/{transport}_consumer")) << consumer;
  for (const auto& b : json.at("benchmarks")) EXPECT_FALSE(b.contains("error_occurred")) << b.dump();
}

}  // namespace
}  // namespace ipc

// Numbers out of range and outputs that name nothing or one file twice:
// refused in one line, exit 2, before anything runs or is written.
namespace ipc {
namespace {

INSTANTIATE_TEST_SUITE_P(
    Outputs, BadInput,
    ::testing::Values(std::pair{std::vector<std::string>{"-t", "pipe", "-n", "18446744073709551615"},
                                "expected a whole number from 1 to 9223372036854775807"},
                      std::pair{std::vector<std::string>{"-t", "pipe", "-n", "9223372036854775808"},
                                "expected a whole number from 1 to 9223372036854775807"},
                      std::pair{std::vector<std::string>{"-t", "pipe", "--json", ""}, "--json needs a file name"},
                      std::pair{std::vector<std::string>{"-t", "pipe", "--md", ""}, "--md needs a file name"}));

TEST(Cli, TwoOutputsNamingOneFileAreRefusedUnderAnySpelling) {
  const TempDir dir;
  const std::string plain = (dir.path / "out").string();
  const std::string dotted = (dir.path / "." / "out").string();
  for (const auto& [args, expected] :
       {std::pair{std::vector<std::string>{"--json", plain, "--md", plain}, "--json and --md name the same file"},
        std::pair{std::vector<std::string>{"--json", dotted, "--benchmark_out=" + plain},
                  "--json and --benchmark_out name the same file"},
        std::pair{std::vector<std::string>{"--md", plain, "--benchmark_out=" + dotted},
                  "--md and --benchmark_out name the same file"}}) {
    std::vector<std::string> argv{"-t", "pipe", "-n", "10"};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto result = ipc_bench(argv);
    EXPECT_EQ(result.exit_code, 2) << expected;
    const auto err = test::lines(result.err);
    ASSERT_EQ(err.size(), 1u) << result.err;
    EXPECT_NE(err[0].find(expected), std::string::npos) << err[0];
    EXPECT_FALSE(fs::exists(plain)) << "written although refused: " << expected;
  }
}

}  // namespace
}  // namespace ipc

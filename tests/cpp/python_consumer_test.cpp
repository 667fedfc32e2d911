// docs/protocol.md is the contract: a consumer written from it in another
// language (scripts/consumers/ipc_consumer.py, Python standard library only)
// passes through ipc_bench --consumer-cmd, and its faults are caught with the
// very messages the built-in consumers' faults get.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <ostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ipc/consumer_path.hpp"
#include "test_support.hpp"

#ifndef IPC_BENCH_SOURCE_DIR
#error "IPC_BENCH_SOURCE_DIR must name the source tree"
#endif

namespace ipc {
namespace {

namespace fs = std::filesystem;

const std::string kScript = std::string(IPC_BENCH_SOURCE_DIR) + "/scripts/consumers/ipc_consumer.py";

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("ipc_bench_python_test_" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

struct BenchRun {
  test::CommandResult result;
  nlohmann::json json;
};

BenchRun ipc_bench(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
  const TempDir dir;
  const fs::path out = dir.path / "out.json";
  args.insert(args.begin(), test::built("ipc_bench"));
  args.insert(args.end(), {"--json", out.string()});
  BenchRun run{test::run_command(args, std::chrono::seconds(120), env), {}};
  if (std::ifstream in(out); in && in.peek() != std::ifstream::traits_type::eof()) run.json = nlohmann::json::parse(in);
  return run;
}

class PythonConsumer : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!find_executable("python3")) GTEST_SKIP() << "python3 is not in PATH (apt-get install python3)";
  }
  static std::string command(const std::string& transport) { return "python3 " + kScript + " " + transport; }
};

TEST_F(PythonConsumer, PassesEveryReplyCheckForPipeAndTcp) {
  const auto run = ipc_bench({"-t", "pipe,tcp_nodelay,tcp_nagle", "-p", "1,4,13,64,4096", "--placement", "none", "-n",
                              "300", "--warmup", "50", "--consumer-cmd", command("{transport}")});
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err << run.result.out;
  const std::string consumer = run.json.at("context").at("consumer");
  EXPECT_TRUE(consumer.starts_with("command ")) << consumer;
  EXPECT_NE(consumer.find(kScript + " {transport}"), std::string::npos) << consumer;
  ASSERT_EQ(run.json.at("benchmarks").size(), 15u);
  for (const auto& b : run.json.at("benchmarks")) {
    EXPECT_FALSE(b.contains("error_occurred") && b.at("error_occurred").get<bool>()) << b.dump();
    EXPECT_EQ(b.at("iterations"), 300) << b.at("name");
  }
}

TEST_F(PythonConsumer, CommandLineErrorsExitTwoAndHelpExitsZero) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{}, {"pipe"}, {"pipe", "--payload", "0"}, {"pipe", "--payload", "4KB"},
        {"tcp_nodelay", "--payload", "4"}, {"tcp_nodelay", "--payload", "4", "--connect", "localhost:80"},
        {"tcp_nodelay", "--payload", "4", "--connect", "127.0.0.1:0"}, {"udp", "--payload", "4"}}) {
    std::vector<std::string> argv{*find_executable("python3"), kScript};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto result = test::run_command(argv, std::chrono::seconds(30));
    EXPECT_EQ(result.exit_code, 2) << testing::PrintToString(args) << result.err;
  }
  const auto help = test::run_command({*find_executable("python3"), kScript, "--help"}, std::chrono::seconds(30));
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("usage:"), std::string::npos) << help.out;
}

struct Fault {
  std::string spec;  // "<fault>:<round trip>"
  std::string payload;
};

// How ctest lists the parameter (else as the struct's bytes).
void PrintTo(const Fault& f, std::ostream* os) { *os << f.spec << " at " << f.payload << " B"; }

class PythonConsumerFault : public PythonConsumer, public ::testing::WithParamInterface<Fault> {};

std::string error_of(const BenchRun& run) {
  if (run.json.is_null() || run.json.at("benchmarks").size() != 1) return "no JSON result: " + run.result.err;
  const auto& b = run.json.at("benchmarks")[0];
  if (!b.contains("error_message")) return "no error";
  return b.at("error_message");
}

// The same fault from the built-in faulty consumer (C++, through
// --consumer-cmd) and from the Python one, over pipe and tcp: the same
// message, word for word.
TEST_P(PythonConsumerFault, IsCaughtWithTheBuiltInConsumersMessage) {
  const auto& [spec, payload] = GetParam();
  const std::vector<std::string> common{"-p", payload, "--placement", "none", "-n", "100", "--warmup", "0"};
  const auto with = [&](const std::string& transport, const std::string& consumer) {
    std::vector<std::string> args{"-t", transport, "--consumer-cmd", consumer};
    args.insert(args.end(), common.begin(), common.end());
    return args;
  };
  const auto reference = ipc_bench(with("pipe", test::built("faulty_pipe_consumer")), {"FAULTY_CONSUMER=" + spec});
  EXPECT_EQ(reference.result.exit_code, 1) << reference.result.err;
  const std::string expected = error_of(reference);
  ASSERT_TRUE(expected.starts_with("round trip ")) << expected;

  for (const std::string transport : {"pipe", "tcp_nodelay"}) {
    const auto python = ipc_bench(with(transport, command(transport)), {"IPC_CONSUMER_FAULT=" + spec});
    EXPECT_EQ(python.result.exit_code, 1) << transport << ": " << python.result.err;
    EXPECT_EQ(error_of(python), expected) << transport;
  }
}

INSTANTIATE_TEST_SUITE_P(Faults, PythonConsumerFault,
                         ::testing::Values(Fault{"stale:7", "64"}, Fault{"corrupt:3", "64"}, Fault{"short:5", "64"},
                                           Fault{"duplicate:4", "8"}, Fault{"stale:2", "1"}),
                         [](const auto& info) {
                           std::string name = info.param.spec + "_" + info.param.payload;
                           for (char& c : name)
                             if (c == ':') c = '_';
                           return name;
                         });

}  // namespace
}  // namespace ipc

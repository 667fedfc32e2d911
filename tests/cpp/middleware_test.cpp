// The middleware transports' daemon: a RouDi that ran before the run still
// runs after it; a private one is gone after the run, a Ctrl-C included,
// with its shared memory; without iox-roudi the transports are refused in
// one line and a default run skips them with a note.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "ipc/child_process.hpp"
#include "ipc/consumer_path.hpp"
#include "ipc/registry.hpp"
#include "ipc/unique_fd.hpp"
#include "test_support.hpp"

namespace ipc {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

bool roudi_running() {
  const UniqueFd fd(::open("/tmp/roudi.lock", O_RDONLY | O_CLOEXEC));
  return fd && ::flock(fd.get(), LOCK_SH | LOCK_NB) != 0;
}

bool roudi_shm_present() { return fs::exists("/dev/shm/iceoryx_mgmt"); }

nlohmann::json context_of(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in)["context"];
}

std::string json_path(const char* name) { return (fs::temp_directory_path() / name).string(); }

#define IPC_SKIP_WITHOUT_ROUDI_OR_IF_RUNNING()                                                      \
  IPC_SKIP_IF_UNAVAILABLE(*find_transport("iceoryx"));                                              \
  if (!find_executable("iox-roudi")) GTEST_SKIP() << "no iox-roudi in PATH";                        \
  if (roudi_running()) GTEST_SKIP() << "a RouDi runs already: these tests need the machine's alone"

TEST(Roudi, OneRunningBeforeTheRunIsUsedAndStillRunsAfterIt) {
  IPC_SKIP_WITHOUT_ROUDI_OR_IF_RUNNING();
  const std::string log = json_path("ipc_bench_test_roudi.log");
  const UniqueFd out(::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  ASSERT_TRUE(out);
  ChildProcess roudi = ChildProcess::spawn({*find_executable("iox-roudi"), {"-l", "info"}, {{out.get(), 1}}, {}});
  // Ready once it says so; bounded by the scaled handshake timeout.
  const auto deadline = std::chrono::steady_clock::now() + test::reply_timeout(0) * 2;
  auto ready = [&] {
    std::ifstream in(log);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    return text.find("RouDi is ready for clients") != std::string::npos;
  };
  while (!ready() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
  ASSERT_TRUE(ready()) << "iox-roudi did not get ready";
  const std::string json = json_path("ipc_bench_test_roudi.json");
  const auto result = test::run_command({test::built("ipc_bench"), "-t", "iceoryx,iceoryx_spin", "-p", "4,4K",
                                         "--placement", "none", "-n", "200", "--json", json});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(context_of(json)["roudi"], "running (pid " + std::to_string(roudi.pid()) + ")");
  EXPECT_FALSE(roudi.wait_for(0ms).has_value()) << "the RouDi that ran before was stopped";
  ::kill(roudi.pid(), SIGTERM);
  EXPECT_TRUE(roudi.wait_for(30s).has_value());
  fs::remove(json);
  fs::remove(log);
}

TEST(Roudi, APrivateOneIsGoneAfterTheRunWithItsSharedMemory) {
  IPC_SKIP_WITHOUT_ROUDI_OR_IF_RUNNING();
  const std::string json = json_path("ipc_bench_test_private_roudi.json");
  const auto result = test::run_command(
      {test::built("ipc_bench"), "-t", "iceoryx", "-p", "4,64K", "--placement", "none", "-n", "200", "--json", json});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string roudi = context_of(json)["roudi"];
  ASSERT_TRUE(roudi.starts_with("private (pid ")) << roudi;
  const pid_t pid = std::stoi(roudi.substr(std::string("private (pid ").size()));
  EXPECT_FALSE(test::process_exists(pid));
  EXPECT_FALSE(roudi_running());
  EXPECT_FALSE(roudi_shm_present());
  fs::remove(json);
}

TEST(Roudi, CtrlCMidRunStopsThePrivateOneAndLeavesNothing) {
  IPC_SKIP_WITHOUT_ROUDI_OR_IF_RUNNING();
  const UniqueFd quiet(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  ChildProcess bench = ChildProcess::spawn(
      {test::built("ipc_bench"), {"-t", "iceoryx", "-n", "1000000000"}, {{quiet.get(), STDOUT_FILENO}}, {}});
  // Mid-run: once the consumer has registered (its runtime's socket).
  const auto give_up = std::chrono::steady_clock::now() + 30s * test::build_slowdown();
  auto consumer_registered = [] {
    for (const auto& entry : fs::directory_iterator("/tmp"))
      if (entry.path().filename().string().starts_with("ipc_bench_c_")) return true;
    return false;
  };
  while (!consumer_registered() && std::chrono::steady_clock::now() < give_up) std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(consumer_registered());
  ASSERT_EQ(::kill(bench.pid(), SIGINT), 0);
  const auto status = bench.wait_for(60s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code, 128 + SIGINT);
  EXPECT_FALSE(roudi_running());
  EXPECT_FALSE(roudi_shm_present());
  EXPECT_FALSE(consumer_registered());
}

TEST(Roudi, WithoutIoxRoudiTheTransportsAreRefusedInOneLine) {
  IPC_SKIP_WITHOUT_ROUDI_OR_IF_RUNNING();
  // PATH without iox-roudi; ipc_bench finds its consumers beside itself.
  const auto alone = test::run_command({test::built("ipc_bench"), "-t", "iceoryx", "-n", "10"}, 60s, {"PATH=/nonexistent"});
  EXPECT_EQ(alone.exit_code, 2);
  EXPECT_NE(alone.err.find("iceoryx is not available here: no iox-roudi in PATH"), std::string::npos) << alone.err;
  const auto mixed = test::run_command(
      {test::built("ipc_bench"), "-t", "pipe,iceoryx_spin", "--placement", "none", "-n", "100"}, 60s,
      {"PATH=/nonexistent"});
  EXPECT_EQ(mixed.exit_code, 0) << mixed.err;
  EXPECT_NE(mixed.err.find("skipping iceoryx_spin is not available here"), std::string::npos) << mixed.err;
}

TEST(CycloneDds, TheSharedMemoryKindIsRefusedInOneLineWhereItCannotRun) {
  const std::string why = unavailable_here(*find_transport("cyclonedds_shm"));
  if (why.empty()) GTEST_SKIP() << "cyclonedds_shm runs here";
  EXPECT_EQ(why.find('\n'), std::string::npos) << why;
  EXPECT_FALSE(why.empty());
}

}  // namespace
}  // namespace ipc

// ipc_bench told to stop mid-run (SIGINT, SIGTERM): every consumer is killed
// and reaped, nothing is left in /dev/shm, and the exit code is 128 + signal.
// For every transport in the registry.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "ipc/child_process.hpp"
#include "ipc/registry.hpp"
#include "temp_tree.hpp"
#include "test_support.hpp"

namespace ipc {
namespace {

using namespace std::chrono_literals;

struct Case {
  std::string transport;
  int signal;
};

// How ctest lists the parameter (else as the struct's bytes).
void PrintTo(const Case& c, std::ostream* os) { *os << c.transport << (c.signal == SIGINT ? " SIGINT" : " SIGTERM"); }

class StopSignalTest : public ::testing::TestWithParam<Case> {};

TEST_P(StopSignalTest, ConsumersAreReapedAndNothingIsLeft) {
  const auto& [transport, signal] = GetParam();
  if (const std::string why = unavailable_here(*find_transport(transport)); !why.empty())
    GTEST_SKIP() << transport << " is not available here: " << why;
  // Orphans of ipc_bench would be reparented to us: proof of a leaked child.
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  const UniqueFd quiet(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  ChildProcess bench = ChildProcess::spawn(
      {test::built("ipc_bench"), {"-t", transport, "-n", "1000000000"}, {{quiet.get(), STDOUT_FILENO}}, {}});

  // Mid-run: once its consumer exists, and a little after.
  const auto give_up = std::chrono::steady_clock::now() + 30s;
  while (test::children_of(bench.pid()).empty() && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(10ms);
  ASSERT_FALSE(test::children_of(bench.pid()).empty()) << "no consumer appeared";
  std::this_thread::sleep_for(200ms);
  const pid_t bench_pid = bench.pid();
  ASSERT_EQ(::kill(bench_pid, signal), 0);

  const auto status = bench.wait_for(60s);
  ASSERT_TRUE(status.has_value()) << "ipc_bench did not exit after the signal";
  EXPECT_EQ(status->signal, 0);
  EXPECT_EQ(status->code, 128 + signal);
  // Nothing reparented to us, no named resource left.
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
  EXPECT_EQ(test::leftovers_of(bench_pid), std::vector<std::string>{});
}

std::vector<Case> cases() {
  std::vector<Case> all;
  for (const Transport& t : transports()) {
    all.push_back({std::string(t.name), SIGINT});
    all.push_back({std::string(t.name), SIGTERM});
  }
  return all;
}

INSTANTIATE_TEST_SUITE_P(Registry, StopSignalTest, ::testing::ValuesIn(cases()), [](const auto& info) {
  return info.param.transport + (info.param.signal == SIGINT ? "_SIGINT" : "_SIGTERM");
});

// A --consumer-cmd wrapper: `lines` then the consumer, in a shell script.
std::string wrapper(const test::TempTree& dir, const std::string& lines) {
  const std::filesystem::path path = dir.root() / "wrapper.sh";
  std::ofstream(path) << "#!/bin/sh\n" << lines << "\n";
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  return path.string();
}

// Waits (bounded: it is over at once when it works) for `pid` to end;
// true if it was killed, or was reaped by its own parent (killed with it).
bool ends_killed(pid_t pid) {
  const auto give_up = std::chrono::steady_clock::now() + 10s * test::build_slowdown();
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    if (r < 0 && !test::process_exists(pid)) return true;
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(10ms);
  }
}

// What a consumer starts (here a process in the background of the wrapper
// that execs it) ends with the consumer, not after the run.
TEST(ConsumerGroup, WhatTheConsumerStartedEndsWithIt) {
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  const test::TempTree dir;
  const std::filesystem::path pid_file = dir.root() / "sleeper.pid";
  const std::string command = wrapper(dir, "sleep 600 &\necho $! > " + pid_file.string() + "\nexec \"$@\"");
  const UniqueFd quiet(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  ChildProcess bench = ChildProcess::spawn({test::built("ipc_bench"),
                                            {"-t", "pipe", "-n", "200", "--warmup", "0", "--consumer-cmd",
                                             command + " " + test::built("pipe_consumer")},
                                            {{quiet.get(), STDOUT_FILENO}},
                                            {}});
  const auto status = bench.wait_for(120s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code, 0);
  pid_t sleeper = 0;
  std::ifstream(pid_file) >> sleeper;
  ASSERT_GT(sleeper, 0);
  const bool killed = ends_killed(sleeper);
  if (!killed) ::kill(sleeper, SIGKILL);
  EXPECT_TRUE(killed) << "the consumer's background process outlived the run";
}

// A wrapper that runs the consumer as its child (no exec): SIGTERM still
// ends the run promptly, and the polling consumer under the wrapper with it.
TEST(ConsumerGroup, AWrapperThatDoesNotExecStopsWithTheRun) {
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  const test::TempTree dir;
  const std::string command = wrapper(dir, "\"$@\"\necho the consumer ended");
  const UniqueFd quiet(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  ChildProcess bench = ChildProcess::spawn({test::built("ipc_bench"),
                                            {"-t", "shm_yield", "-n", "1000000000", "--placement", "none",
                                             "--consumer-cmd", command + " " + test::built("shm_consumer")},
                                            {{quiet.get(), STDOUT_FILENO}, {quiet.get(), STDERR_FILENO}},
                                            {}});
  // Mid-run: once the wrapper's consumer exists.
  const auto give_up = std::chrono::steady_clock::now() + 30s * test::build_slowdown();
  std::vector<pid_t> consumers;
  while (std::chrono::steady_clock::now() < give_up) {
    for (const pid_t shell : test::children_of(bench.pid())) consumers = test::children_of(shell);
    if (!consumers.empty()) break;
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(consumers.size(), 1u) << "no consumer under the wrapper";
  std::this_thread::sleep_for(200ms);
  ASSERT_EQ(::kill(bench.pid(), SIGTERM), 0);
  const auto status = bench.wait_for(60s * test::build_slowdown());
  ASSERT_TRUE(status.has_value()) << "ipc_bench did not exit after SIGTERM";
  EXPECT_EQ(status->code, 128 + SIGTERM);
  const bool killed = ends_killed(consumers.front());
  if (!killed) ::kill(consumers.front(), SIGKILL);
  EXPECT_TRUE(killed) << "the consumer under the wrapper outlived the run";
}

}  // namespace
}  // namespace ipc

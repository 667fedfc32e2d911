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
#include <ostream>
#include <string>
#include <thread>

#include "ipc/child_process.hpp"
#include "ipc/registry.hpp"
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

}  // namespace
}  // namespace ipc

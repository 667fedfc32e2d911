// boost_mq and boost_cond beyond what the registry-driven tests cover: a
// consumer that dies or freezes holding boost_cond's pong mutex (Boost 1.74
// has no robust mutexes), and no /dev/shm name left once the consumer has it.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "ipc/child_process.hpp"
#include "ipc/consumer_path.hpp"
#include "ipc/error.hpp"
#include "ipc/registry.hpp"
#include "test_support.hpp"

namespace ipc {
namespace {

using namespace std::chrono_literals;

const Transport& boost_cond() { return *find_transport("boost_cond"); }

const Transport& boost_mq() { return *find_transport("boost_mq"); }

// Runs `transport` against its lock-holding test double `holder` in `mode`
// (kill or stop) and returns the error that ended the run.
std::string run_until_the_lock_is_held(const Transport& transport, const char* holder, const std::string& mode,
                                       std::chrono::milliseconds timeout) {
  const RunnerOptions options{4, Command({test::built(holder), mode}), std::nullopt, timeout};
  pid_t consumer = -1;
  std::string error;
  {
    const auto runner = transport.start(options);
    consumer = runner->consumer_pid();
    try {
      runner->round_trips(100);  // the double holds the lock at round trip 5
      ADD_FAILURE() << "100 round trips succeeded: the double never held the lock";
    } catch (const Error& e) {
      error = e.what();
    }
  }
  EXPECT_FALSE(test::process_exists(consumer));
  EXPECT_EQ(test::leftovers_of(test::own_pid()), std::vector<std::string>{});
  return error;
}

class BoostCond : public ::testing::Test {
 protected:
  void SetUp() override { IPC_SKIP_IF_UNAVAILABLE(boost_cond()); }
};

TEST_F(BoostCond, ConsumerKilledHoldingThePongMutexFailsTheRunAndSaysSo) {
  const std::string error = run_until_the_lock_is_held(boost_cond(), "boost_cond_lock_holder", "kill", test::reply_timeout(4));
  EXPECT_NE(error.find("round trip 5"), std::string::npos) << error;
  EXPECT_NE(error.find("left the pong mutex locked"), std::string::npos) << error;
  EXPECT_NE(error.find(test::kKilledFate), std::string::npos) << error;
}

TEST_F(BoostCond, ConsumerFrozenHoldingThePongMutexTimesOutAndSaysSo) {
  const std::chrono::milliseconds timeout = test::build_slowdown() > 1 ? 2500ms : 500ms;
  const std::string error = run_until_the_lock_is_held(boost_cond(), "boost_cond_lock_holder", "stop", timeout);
  EXPECT_NE(error.find("round trip 5"), std::string::npos) << error;
  EXPECT_NE(error.find(fmt::format("no reply within {:g} s", static_cast<double>(timeout.count()) / 1000)),
            std::string::npos)
      << error;
}

class BoostMq : public ::testing::Test {
 protected:
  void SetUp() override { IPC_SKIP_IF_UNAVAILABLE(boost_mq()); }
};

// Killed inside message_queue's own critical section: the producer's next
// lock of that mutex would never return.
TEST_F(BoostMq, ConsumerKilledHoldingThePongQueuesMutexFailsTheRunAndSaysSo) {
  const std::string error = run_until_the_lock_is_held(boost_mq(), "boost_mq_lock_holder", "kill", test::reply_timeout(4));
  EXPECT_NE(error.find("round trip 5"), std::string::npos) << error;
  EXPECT_NE(error.find("left the pong queue's mutex locked"), std::string::npos) << error;
  EXPECT_NE(error.find(test::kKilledFate), std::string::npos) << error;
}

TEST_F(BoostMq, ConsumerFrozenHoldingThePongQueuesMutexTimesOutAndSaysSo) {
  const std::chrono::milliseconds timeout = test::build_slowdown() > 1 ? 2500ms : 500ms;
  const std::string error = run_until_the_lock_is_held(boost_mq(), "boost_mq_lock_holder", "stop", timeout);
  EXPECT_NE(error.find("round trip 5"), std::string::npos) << error;
  EXPECT_NE(error.find(fmt::format("no reply within {:g} s", static_cast<double>(timeout.count()) / 1000)),
            std::string::npos)
      << error;
}

// A kill -9 of ipc_bench mid-run leaves nothing: every name is gone once
// the consumer has it.
TEST(BoostInterprocess, NoNameOutlivesTheHandOver) {
  for (const char* name : {"boost_mq", "boost_cond"}) {
    SCOPED_TRACE(name);
    const Transport& transport = *find_transport(name);
    if (!unavailable_here(transport).empty()) GTEST_SKIP() << unavailable_here(transport);
    const auto runner = transport.start({64, consumer_path(transport.consumer), std::nullopt, test::reply_timeout(64)});
    runner->round_trips(10);
    EXPECT_EQ(test::leftovers_of(test::own_pid()), std::vector<std::string>{});
    runner->finish();
  }
}

}  // namespace
}  // namespace ipc

// Every transport in the registry: round trips at several payloads, a
// consumer killed or frozen mid-run, and nothing left behind.  The tests
// iterate the registry, so a new transport is covered by registering it.
// The same file runs in the Windows build (under wine here), through the
// platform's test_support.
#include <fmt/format.h>
#include <gtest/gtest.h>
#ifndef _WIN32
#include <fcntl.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#endif
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ipc/consumer_path.hpp"
#include "ipc/error.hpp"
#include "ipc/registry.hpp"
#include "test_support.hpp"

namespace ipc {
namespace {

using namespace std::chrono_literals;

RunnerOptions options_for(const Transport& transport, std::size_t payload) {
  return {payload, consumer_path(transport.consumer), std::nullopt, test::reply_timeout(payload)};
}

RunnerOptions options_for(const Transport& transport, std::size_t payload, std::chrono::milliseconds timeout) {
  return {payload, consumer_path(transport.consumer), std::nullopt, timeout};
}

std::vector<std::string> transport_names() {
  std::vector<std::string> names;
  for (const Transport& t : transports()) names.emplace_back(t.name);
  return names;
}

class TransportTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Printed, never asserted: how long the failure took to notice.
  void report_detection(const char* fault, std::chrono::steady_clock::duration took) const {
    const auto ms = std::chrono::duration<double, std::milli>(took).count();
    std::printf("[ detection ] %s %s: %.1f ms\n", GetParam().c_str(), fault, ms);
    RecordProperty("detection_ms", std::to_string(ms));
  }

  void SetUp() override { IPC_SKIP_IF_UNAVAILABLE(transport()); }

  // Whatever happened in the test, no named resource may be left behind.
  void TearDown() override { EXPECT_EQ(test::leftovers_of(test::own_pid()), std::vector<std::string>{}); }

  const Transport& transport() const { return *find_transport(GetParam()); }

  // Starts, runs `count` round trips, finishes; then checks that the
  // consumer is reaped and no named resource is left.
  void round_trip(std::size_t payload, std::uint64_t count) {
    SCOPED_TRACE(testing::Message() << GetParam() << " payload " << payload);
    pid_t consumer = -1;
    {
      const auto runner = transport().start(options_for(transport(), payload));
      consumer = runner->consumer_pid();
      runner->round_trips(count);
      runner->round_trips(count);  // sequence numbers carry on across calls
      runner->finish();
    }
    EXPECT_FALSE(test::process_exists(consumer));
    EXPECT_EQ(test::leftovers_of(test::own_pid()), std::vector<std::string>{});
  }
};

TEST_P(TransportTest, RoundTripsAtSmallPayloads) {
  for (const std::size_t payload : {1, 4, 64, 4096}) round_trip(payload, 200);
}

// One round trip per call: the two calls still carry the sequence on, and a
// 16 MiB message through a daemon costs seconds in a sanitizer build.
TEST_P(TransportTest, RoundTripsAtItsMaximumPayload) { round_trip(max_payload_here(transport()), 1); }

TEST_P(TransportTest, ConsumerKilledMidRunIsAnErrorNamingHowItDied) {
  pid_t consumer = -1;
  {
    const auto runner = transport().start(options_for(transport(), 4));
    consumer = runner->consumer_pid();
    runner->round_trips(10);
    std::atomic<std::chrono::steady_clock::time_point> killed_at{};
    std::thread killer([consumer, &killed_at] {
      std::this_thread::sleep_for(50ms);
      killed_at = std::chrono::steady_clock::now();
      test::kill_process(consumer);
    });
    try {
      runner->round_trips(UINT64_MAX / 2);  // runs until the consumer is gone
      ADD_FAILURE() << "round trips succeeded after the consumer was killed";
    } catch (const Error& e) {
      report_detection("killed", std::chrono::steady_clock::now() - killed_at.load());
      EXPECT_NE(std::string(e.what()).find("round trip"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(test::kKilledFate), std::string::npos) << e.what();
    }
    killer.join();
  }
  EXPECT_FALSE(test::process_exists(consumer));
}

TEST_P(TransportTest, FrozenConsumerTimesOutAndIsKilled) {
  // Short, so that the test is quick; the same timeout bounds the handshake,
  // which a sanitizer build on a loaded machine can stretch past 0.5 s.
  const std::chrono::milliseconds timeout = test::build_slowdown() > 1 ? 2500ms : 500ms;
  const std::string seconds = fmt::format("{:g} s", static_cast<double>(timeout.count()) / 1000);
  pid_t consumer = -1;
  {
    const auto runner = transport().start(options_for(transport(), 4, timeout));
    consumer = runner->consumer_pid();
    runner->round_trips(10);
    const auto stopped_at = std::chrono::steady_clock::now();
    ASSERT_TRUE(test::freeze_process(consumer));
    try {
      runner->round_trips(UINT64_MAX / 2);
      ADD_FAILURE() << "round trips succeeded with the consumer stopped";
    } catch (const Error& e) {
      report_detection(("frozen, --timeout " + seconds).c_str(), std::chrono::steady_clock::now() - stopped_at);
      EXPECT_NE(std::string(e.what()).find("no reply within " + seconds), std::string::npos) << e.what();
    }
  }
  EXPECT_FALSE(test::process_exists(consumer));
}

TEST_P(TransportTest, ConsumerThatNeverStartsIsReportedWithItsPath) {
  RunnerOptions options = options_for(transport(), 4);
  options.consumer_path = "/nonexistent/ipc_bench_consumer";
  try {
    (void)transport().start(options);
    ADD_FAILURE() << "started a consumer that does not exist";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/ipc_bench_consumer"), std::string::npos) << e.what();
  }
}

TEST_P(TransportTest, ConsumerThatExitsBeforeReadyIsAnError) {
  RunnerOptions options = options_for(transport(), 4);
  options.consumer_path = test::exits_with_status_1();
  try {
    (void)transport().start(options);
    ADD_FAILURE() << "a consumer that exits at once was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("exited with status 1"), std::string::npos) << e.what();
  }
}

TEST_P(TransportTest, DestroyingARunnerMidRunReapsTheConsumer) {
  pid_t consumer = -1;
  {
    const auto runner = transport().start(options_for(transport(), 64));
    consumer = runner->consumer_pid();
    runner->round_trips(5);
  }
  EXPECT_FALSE(test::process_exists(consumer));
}

#ifndef _WIN32  // Windows: a child inherits only the handles listed at its spawn (child_process.hpp)
TEST_P(TransportTest, EveryNewDescriptorIsCloseOnExecAndClosedAfterTheRun) {
  // What a library opens once per process (iceoryx's runtime) is opened by a
  // first run, before the count.
  transport().start(options_for(transport(), 64))->finish();
  const std::set<int> before = test::open_descriptors();
  {
    const auto runner = transport().start(options_for(transport(), 64));
    runner->round_trips(10);
    // A descriptor without FD_CLOEXEC would leak into every later consumer.
    for (const int fd : test::open_descriptors()) {
      if (before.contains(fd)) continue;
      const int flags = ::fcntl(fd, F_GETFD);
      if (flags < 0) continue;  // closed meanwhile, by a library thread
      EXPECT_TRUE(flags & FD_CLOEXEC) << "descriptor " << fd << " (" << test::describe_descriptor(fd)
                                      << ") is not close-on-exec";
    }
    runner->finish();
  }
  EXPECT_EQ(test::open_descriptors(), before);
}

// The leftover check above sees a System V queue this process used and did not remove.
TEST(LeftoverCheck, SeesASystemVQueueThisProcessSentTo) {
  const int queue = ::msgget(IPC_PRIVATE, IPC_CREAT | 0600);
  if (queue < 0) GTEST_SKIP() << "msgget refused here";
  struct {
    long type;
    char text[1];
  } empty{1, {}};
  ASSERT_EQ(::msgsnd(queue, &empty, 0, IPC_NOWAIT), 0);
  const auto found = test::sysv_queues_of(::getpid());
  ::msgctl(queue, IPC_RMID, nullptr);
  EXPECT_EQ(found, std::vector<std::string>{std::to_string(queue)});
  EXPECT_EQ(test::sysv_queues_of(::getpid()), std::vector<std::string>{});
}
#endif

INSTANTIATE_TEST_SUITE_P(Registry, TransportTest, ::testing::ValuesIn(transport_names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ipc

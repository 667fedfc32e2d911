// The runner skeleton's promise (ipc/spawned_runner.hpp): a destroyed
// runner has stopped and reaped its consumer before its mechanism, the
// holder of the descriptors, mappings and daemons, is destroyed.  A probe
// mechanism looks for its consumer from its own destructor.
#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>
#include <functional>
#include <memory>

#include "ipc/spawned_runner.hpp"
#include "test_support.hpp"

namespace ipc {
namespace {

struct Seen {
  pid_t consumer = -1;
  bool alive_at_destruction = true;  // kill(pid, 0) found it, zombie included
};
Seen seen;

// Never driven: the probe's runner is destroyed without a round trip.
struct ProbeLink {
  void send(std::span<const std::byte> /*ping*/, std::uint64_t /*seq*/) {}
  Reply receive(std::span<std::byte> buffer, std::uint64_t /*seq*/) { return {buffer, buffer.size()}; }
};

class Probe {
 public:
  explicit Probe(const RunnerOptions& /*options*/) {}
  Probe(const Probe&) = delete;
  Probe& operator=(const Probe&) = delete;
  ~Probe() {
    // A reaped child is gone: ESRCH.  A live or unreaped (zombie) one answers.
    seen.alive_at_destruction = ::kill(consumer_, 0) == 0 || errno != ESRCH;
  }

  SpawnOptions spawn_options(const RunnerOptions& options) const { return {options.consumer_path, {}, {}, {}}; }
  std::function<void()> hand_over(Consumer& consumer) {
    consumer_ = seen.consumer = consumer.pid();
    return [] {};
  }
  ProbeLink link() { return {}; }
  void stop() {}

 private:
  pid_t consumer_ = -1;
};

TEST(RunnerSkeleton, ReapsTheConsumerBeforeTheMechanismIsDestroyed) {
  seen = {};
  {
    // silent_consumer never exits by itself: only the skeleton's teardown
    // can have ended it.
    auto runner = std::make_unique<SpawnedRunner<Probe>>(
        RunnerOptions{4, test::built("silent_consumer"), {}, std::chrono::seconds(5)});
    ASSERT_GT(seen.consumer, 0);
    ASSERT_EQ(runner->consumer_pid(), seen.consumer);
    ASSERT_EQ(::kill(seen.consumer, 0), 0) << "the consumer should be running before the runner is destroyed";
  }
  EXPECT_FALSE(seen.alive_at_destruction) << "consumer " << seen.consumer
                                          << " was still there when the mechanism was destroyed";
}

}  // namespace
}  // namespace ipc

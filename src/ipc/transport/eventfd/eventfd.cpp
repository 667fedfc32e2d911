#include "ipc/transport/eventfd/eventfd.hpp"

#include <fmt/format.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string_view>

#include "ipc/consumer.hpp"
#include "ipc/fanout_runner.hpp"
#include "ipc/message.hpp"
#include "ipc/shm_segment.hpp"
#include "ipc/signal_protocol.hpp"
#include "ipc/spawned_runner.hpp"
#include "ipc/sys.hpp"
#include "ipc/unique_fd.hpp"
#include "anon_inode.hpp"

namespace ipc::transport::eventfd {
namespace {

// The payload and the 64-bit sequence words live in a segment laid out like
// shm_spin's (ipc/shm_segment.hpp); the eventfds only wake the side that
// waits (ipc/signal_protocol.hpp), so nobody spins.
//
// The eventfds are blocking and in counter mode (not EFD_SEMAPHORE): read()
// sleeps until the counter is non-zero and resets it to 0.  Every ping and
// every pong is one write of 1 and one read that must return 1: a larger
// count means the peer signalled twice.
using Segment64 = shm::MappedSegment<std::uint64_t>;

UniqueFd make_eventfd() {
  // Close-on-exec here; the consumer's copies, descriptors kPingFd and
  // kPongFd, are made by dup2 in the child and so survive its exec.
  UniqueFd fd(::eventfd(0, EFD_CLOEXEC));
  if (!fd) throw_errno("eventfd");
  return fd;
}

// Adds 1 to the counter.  It never blocks: that would take 2^64 - 2 unread signals.
void notify(int fd) {
  const std::uint64_t one = 1;
  while (sys::write(fd, &one, sizeof one) < 0)
    if (errno != EINTR) throw_errno("eventfd write");
}

// Sleeps until the counter is non-zero; returns it and resets it to 0.
std::uint64_t await_signal(int fd) {
  std::uint64_t count = 0;
  while (sys::read(fd, &count, sizeof count) < 0)
    if (errno != EINTR) throw_errno("eventfd read");
  return count;
}

// One direction's wake-up (ipc/signal_protocol.hpp).
struct Signal {
  static constexpr bool kCounts = true;
  static constexpr std::string_view kName = "eventfd";
  int fd;
  void notify() const { eventfd::notify(fd); }
  [[nodiscard]] std::uint64_t wait() const { return await_signal(fd); }
};

// The producer's end: the segment and an eventfd each way.
class Segment {
 public:
  explicit Segment(const RunnerOptions& options)
      : segment_(Segment64::create(options.payload)), ping_fd_(make_eventfd()), pong_fd_(make_eventfd()) {}

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    return {options.consumer_path,
            {"--name", segment_.memory().name(), "--ping-fd", std::to_string(kPingFd), "--pong-fd", std::to_string(kPongFd),
             "--payload", std::to_string(options.payload)},
            {{ping_fd_.get(), kPingFd}, {pong_fd_.get(), kPongFd}},
            options.consumer_cpu};
  }

  std::function<void()> hand_over(Consumer& consumer) {
    // The consumer signals the pong eventfd once it has the segment mapped.
    consumer.await_readable(pong_fd_.get(), "the consumer to map the shared memory");
    consumer.guard([&] {
      const std::uint64_t signals = await_signal(pong_fd_.get());
      if (signals != 1 || !segment_.consumer_ready())
        throw Error("handshake failed: the consumer signalled without setting consumer_ready");
    });
    segment_.unlink();
    // The consumer is dead when this runs: nobody else writes the pong
    // channel.  The sentinel first, then the signal that wakes our read().
    return [pong = segment_.channels().pong, fd = pong_fd_.get()] {
      pong.publish(shm::kInterrupted);
      const std::uint64_t one = 1;
      [[maybe_unused]] const ssize_t ignored = ::write(fd, &one, sizeof one);
    };
  }

  shm::SignalLink<Signal> link() const { return {segment_.channels(), {ping_fd_.get()}, {pong_fd_.get()}}; }
  void stop() { link().stop(); }

 private:
  Segment64 segment_;
  UniqueFd ping_fd_;
  UniqueFd pong_fd_;
};

}  // namespace

std::unique_ptr<Runner> start(const RunnerOptions& options) {
  return std::make_unique<SpawnedRunner<Segment>>(options);
}

std::unique_ptr<Fanout> start_fanout(const FanoutOptions& options) {
  return std::make_unique<FanoutRunner<Segment>>(options);
}

namespace {

template <class Echo>
int serve_with(const std::string& name, int ping_fd, int pong_fd, std::size_t payload, const Echo& echo) {
  expect_anon_inode(ping_fd, "--ping-fd", "eventfd");
  expect_anon_inode(pong_fd, "--pong-fd", "eventfd");
  const Segment64 segment = Segment64::open(name, payload);
  segment.set_ready();
  notify(pong_fd);
  return shm::signal_serve(segment.channels(), payload, Signal{ping_fd}, Signal{pong_fd}, echo);
}

}  // namespace

int serve(const std::string& name, int ping_fd, int pong_fd, std::size_t payload) {
  return serve_with(name, ping_fd, pong_fd, payload, shm::PlainEcho{});
}

int serve_stamped(const std::string& name, int ping_fd, int pong_fd, std::size_t payload) {
  if (payload < kFanoutMinPayload)
    throw Error(fmt::format("--stamp needs a payload of at least {} bytes, got {}", kFanoutMinPayload, payload));
  // Chosen and calibrated before the handshake, as the producer's was: the same clock.
  return serve_with(name, ping_fd, pong_fd, payload, StampedEcho{TickClock::instance()});
}

}  // namespace ipc::transport::eventfd

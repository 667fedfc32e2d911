#include "ipc/transport/eventfd/eventfd.hpp"

#include <fmt/format.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "ipc/consumer.hpp"
#include "ipc/message.hpp"
#include "ipc/shared_memory.hpp"
#include "ipc/round_trip_loop.hpp"
#include "ipc/shm_channel.hpp"
#include "ipc/spawned_runner.hpp"
#include "ipc/sys.hpp"
#include "ipc/unique_fd.hpp"

namespace ipc::transport::eventfd {
namespace {

// The payload and the 64-bit sequence words live in a segment laid out like
// shm_spin's (ipc/shm_channel.hpp); the eventfds only wake the side that
// waits, so nobody spins.  A side release-stores its sequence word before it
// signals, and the peer acquire-loads the word after its read() returns: the
// payload written before the store is then visible (the eventfd's own
// locking orders the two in practice; the release/acquire pair is what the
// C++ memory model can see).
//
// The eventfds are blocking and in counter mode (not EFD_SEMAPHORE): read()
// sleeps until the counter is non-zero and resets it to 0.  Every ping and
// every pong is one write of 1 and one read that must return 1: a larger
// count means the peer signalled twice.
using shm::kInterrupted;
using shm::kStop;
using shm::Layout;
using Channels = shm::Channels<std::uint64_t>;

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

// A clearer message than a failed read() when the consumer was started
// without its descriptors.
void expect_eventfd(int fd, std::string_view option) {
  char target[64] = {};
  const std::string link = fmt::format("/proc/self/fd/{}", fd);
  const ssize_t length = ::readlink(link.c_str(), target, sizeof target - 1);
  if (length < 0) throw Error(fmt::format("{} {}: descriptor is not open", option, fd));
  const std::string_view kind(target, static_cast<std::size_t>(length));
  if (kind != "anon_inode:[eventfd]") throw Error(fmt::format("{} {}: not an eventfd but {}", option, fd, kind));
}

// The producer's Link (ipc/round_trip_loop.hpp).
struct Link {
  const Channels& channels;
  int ping_fd, pong_fd;

  void send(std::span<const std::byte> ping, std::uint64_t seq) {
    std::memcpy(channels.ping.data(), ping.data(), ping.size());
    channels.ping.publish(seq);
    notify(ping_fd);
  }
  Reply receive(std::span<std::byte> buffer, std::uint64_t seq) const {
    const std::uint64_t signals = await_signal(pong_fd);
    const std::uint64_t answered = channels.pong.load();
    if (answered != seq || signals != 1) [[unlikely]]
      fail(answered, seq, signals);
    return {std::span<const std::byte>(channels.pong.data(), buffer.size()), buffer.size()};
  }
  [[noreturn]] static void fail(std::uint64_t answered, std::uint64_t expected, std::uint64_t signals) {
    if (answered == kInterrupted) throw Error("no pong");
    if (answered != expected) throw Error(fmt::format("pong channel holds sequence {}, expected {}", answered, expected));
    throw Error(fmt::format("pong eventfd counted {} signals, expected 1", signals));
  }
};

// The producer's end: the segment and an eventfd each way.
class Segment {
 public:
  explicit Segment(const RunnerOptions& options)
      : layout_{options.payload},
        segment_(SharedMemory::create(layout_.total())),
        channels_(segment_.data(), layout_),
        ping_fd_(make_eventfd()),
        pong_fd_(make_eventfd()) {
    channels_.header->payload = options.payload;
  }

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    return {options.consumer_path,
            {"--name", segment_.name(), "--ping-fd", std::to_string(kPingFd), "--pong-fd", std::to_string(kPongFd),
             "--payload", std::to_string(options.payload)},
            {{ping_fd_.get(), kPingFd}, {pong_fd_.get(), kPongFd}},
            options.consumer_cpu};
  }

  std::function<void()> hand_over(Consumer& consumer) {
    // The consumer signals the pong eventfd once it has the segment mapped.
    consumer.await_readable(pong_fd_.get(), "the consumer to map the shared memory");
    consumer.guard([&] {
      const std::uint64_t signals = await_signal(pong_fd_.get());
      if (signals != 1 || std::atomic_ref(channels_.header->consumer_ready).load(std::memory_order_acquire) != 1)
        throw Error("handshake failed: the consumer signalled without setting consumer_ready");
    });
    segment_.unlink();  // both sides have it mapped: the name has no further use
    // The consumer is dead when this runs: nobody else writes the pong
    // channel.  The sentinel first, then the signal that wakes our read().
    return [pong = channels_.pong, fd = pong_fd_.get()] {
      pong.publish(kInterrupted);
      const std::uint64_t one = 1;
      [[maybe_unused]] const ssize_t ignored = ::write(fd, &one, sizeof one);
    };
  }

  Link link() const { return {channels_, ping_fd_.get(), pong_fd_.get()}; }

  void stop() {
    channels_.ping.publish(kStop);
    notify(ping_fd_.get());
  }

 private:
  Layout layout_;
  SharedMemory segment_;
  Channels channels_;
  UniqueFd ping_fd_;
  UniqueFd pong_fd_;
};

}  // namespace

std::unique_ptr<Runner> start(const RunnerOptions& options) {
  return std::make_unique<SpawnedRunner<Segment>>(options);
}

int serve(const std::string& name, int ping_fd, int pong_fd, std::size_t payload) {
  expect_eventfd(ping_fd, "--ping-fd");
  expect_eventfd(pong_fd, "--pong-fd");
  const Layout layout{payload};
  const SharedMemory segment = SharedMemory::open(name, layout.total());
  const Channels channels(segment.data(), layout);
  if (channels.header->payload != payload)
    throw Error(fmt::format("segment {} was set up for {}-byte payloads, not {}", name, channels.header->payload, payload));
  std::atomic_ref(channels.header->consumer_ready).store(1, std::memory_order_release);
  notify(pong_fd);
  for (std::uint64_t seq = 1;; ++seq) {
    const std::uint64_t signals = await_signal(ping_fd);
    const std::uint64_t got = channels.ping.load();
    if (got == kStop) return 0;
    if (got != seq || signals != 1)
      throw Error(fmt::format("ping sequence {} after {} signals, expected {} after 1", got, signals, seq));
    std::memcpy(channels.pong.data(), channels.ping.data(), payload);
    channels.pong.publish(seq);
    notify(pong_fd);
  }
}

}  // namespace ipc::transport::eventfd

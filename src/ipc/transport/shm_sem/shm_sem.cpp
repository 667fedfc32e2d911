#include "ipc/transport/shm_sem/shm_sem.hpp"

#include <fmt/format.h>
#include <semaphore.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "ipc/consumer.hpp"
#include "ipc/message.hpp"
#include "ipc/round_trip_loop.hpp"
#include "ipc/shared_memory.hpp"
#include "ipc/shm_channel.hpp"
#include "ipc/spawned_runner.hpp"

namespace ipc::transport::shm_sem {
namespace {

// The payload and the 64-bit sequence words live in a segment laid out like
// shm_spin's (ipc/shm_channel.hpp); two semaphores in the header's second
// 64-byte line wake the side that waits, so nobody spins.  A side
// release-stores its sequence word before sem_post, and the peer
// acquire-loads it after sem_wait returns (the semaphore orders the two as
// well, POSIX says so; the release/acquire pair is what C++ can see).
//
// sem_wait is a cancellation point, so glibc brackets it with the
// asynchronous-cancellation toggles that ipc/sys.hpp avoids for read and
// write.  It stays: shm_sem measures sem_post and sem_wait as programs call
// them, and a futex wait in their place would be shm_futex again.
using shm::kInterrupted;
using shm::kStop;
using shm::Layout;
using Channels = shm::Channels<std::uint64_t>;

// Header offsets of the semaphores: after consumer_ready and payload, on a
// line of their own, each 32 bytes as glibc's sem_t on 64-bit Linux.
constexpr std::size_t kPingSemaphore = 64;  // the producer posts a ping, the consumer waits
constexpr std::size_t kPongSemaphore = 96;  // the consumer posts a pong, the producer waits
static_assert(sizeof(sem_t) <= 32 && kPingSemaphore % alignof(sem_t) == 0, "two sem_t must fit the header's second line");
static_assert(kPongSemaphore + 32 <= shm::kLinePair);

sem_t* semaphore(const Channels& channels, std::size_t offset) noexcept {
  return reinterpret_cast<sem_t*>(reinterpret_cast<std::byte*>(channels.header) + offset);
}

void post(sem_t* semaphore) {
  if (::sem_post(semaphore) != 0) throw_errno("sem_post");
}

void wait(sem_t* semaphore) {
  while (::sem_wait(semaphore) != 0)
    if (errno != EINTR) throw_errno("sem_wait");
}

// A semaphore initialised in the segment, destroyed with the runner (after
// the consumer is reaped: nobody waits on it any more, as sem_destroy wants).
class SharedSemaphore {
 public:
  explicit SharedSemaphore(sem_t* semaphore) : semaphore_(semaphore) {
    // pshared = 1: the semaphore lives in shared memory and is used by two processes.
    if (::sem_init(semaphore_, 1, 0) != 0) throw_errno("sem_init");
  }
  SharedSemaphore(const SharedSemaphore&) = delete;
  SharedSemaphore& operator=(const SharedSemaphore&) = delete;
  ~SharedSemaphore() { ::sem_destroy(semaphore_); }
  [[nodiscard]] sem_t* get() const noexcept { return semaphore_; }

 private:
  sem_t* semaphore_;
};

// The producer's Link (ipc/round_trip_loop.hpp).
struct Link {
  const Channels& channels;
  sem_t *ping, *pong;

  void send(std::span<const std::byte> message, std::uint64_t seq) {
    std::memcpy(channels.ping.data(), message.data(), message.size());
    channels.ping.publish(seq);
    post(ping);
  }
  Reply receive(std::span<std::byte> buffer, std::uint64_t seq) const {
    wait(pong);
    const std::uint64_t answered = channels.pong.load();
    if (answered != seq) [[unlikely]]
      fail(answered, seq);
    return {std::span<const std::byte>(channels.pong.data(), buffer.size()), buffer.size()};
  }
  [[noreturn]] static void fail(std::uint64_t answered, std::uint64_t expected) {
    if (answered == kInterrupted) throw Error("no pong");
    throw Error(fmt::format("pong channel holds sequence {}, expected {}", answered, expected));
  }
};

// The producer's end: the segment, with a semaphore each way in its header.
class Segment {
 public:
  explicit Segment(const RunnerOptions& options)
      : layout_{options.payload},
        segment_(SharedMemory::create(layout_.total())),
        channels_(segment_.data(), layout_),
        ping_(semaphore(channels_, kPingSemaphore)),
        pong_(semaphore(channels_, kPongSemaphore)) {
    channels_.header->payload = options.payload;
  }

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    return {options.consumer_path, {"--name", segment_.name(), "--payload", std::to_string(options.payload)}, {},
            options.consumer_cpu};
  }

  std::function<void()> hand_over(Consumer& consumer) {
    const auto ready = std::atomic_ref(channels_.header->consumer_ready);
    consumer.await([&] { return ready.load(std::memory_order_acquire) == 1; }, "the consumer to map the shared memory");
    segment_.unlink();  // both sides have it mapped: the name has no further use
    // The consumer is dead when this runs: nobody else writes the pong
    // channel.  The sentinel first, then the post that ends our sem_wait
    // (sem_post is async-signal-safe, so safe from any thread at any time).
    return [pong = channels_.pong, semaphore = pong_.get()] {
      pong.publish(kInterrupted);
      ::sem_post(semaphore);
    };
  }

  Link link() const { return {channels_, ping_.get(), pong_.get()}; }

  void stop() {
    channels_.ping.publish(kStop);
    post(ping_.get());
  }

 private:
  Layout layout_;
  SharedMemory segment_;
  Channels channels_;
  SharedSemaphore ping_, pong_;
};

}  // namespace

std::unique_ptr<Runner> start(const RunnerOptions& options) {
  return std::make_unique<SpawnedRunner<Segment>>(options);
}

int serve(const std::string& name, std::size_t payload) {
  const Layout layout{payload};
  const SharedMemory segment = SharedMemory::open(name, layout.total());
  const Channels channels(segment.data(), layout);
  if (channels.header->payload != payload)
    throw Error(fmt::format("segment {} was set up for {}-byte payloads, not {}", name, channels.header->payload, payload));
  sem_t* ping = semaphore(channels, kPingSemaphore);
  sem_t* pong = semaphore(channels, kPongSemaphore);
  std::atomic_ref(channels.header->consumer_ready).store(1, std::memory_order_release);
  for (std::uint64_t seq = 1;; ++seq) {
    wait(ping);
    const std::uint64_t got = channels.ping.load();
    if (got == kStop) return 0;
    if (got != seq) throw Error(fmt::format("ping sequence {}, expected {}", got, seq));
    std::memcpy(channels.pong.data(), channels.ping.data(), payload);
    channels.pong.publish(seq);
    post(pong);
  }
}

}  // namespace ipc::transport::shm_sem

#include "ipc/transport/shm_sem/shm_sem.hpp"

#include <semaphore.h>

#include <cerrno>
#include <cstdint>

#include "ipc/consumer.hpp"
#include "ipc/message.hpp"
#include "ipc/shm_segment.hpp"
#include "ipc/signal_protocol.hpp"
#include "ipc/spawned_runner.hpp"

namespace ipc::transport::shm_sem {
namespace {

// The payload and the 64-bit sequence words live in a segment laid out like
// shm_spin's (ipc/shm_segment.hpp); two semaphores in the header's second
// 64-byte line wake the side that waits (ipc/signal_protocol.hpp), so
// nobody spins.
//
// sem_wait is a cancellation point, so glibc brackets it with the
// asynchronous-cancellation toggles that ipc/sys.hpp avoids for read and
// write.  It stays: shm_sem measures sem_post and sem_wait as programs call
// them, and a futex wait in their place would be shm_futex again.
using Segment64 = shm::MappedSegment<std::uint64_t>;

// Header offsets of the semaphores: after consumer_ready and payload, on a
// line of their own, each 32 bytes as glibc's sem_t on 64-bit Linux.
constexpr std::size_t kPingSemaphore = 64;  // the producer posts a ping, the consumer waits
constexpr std::size_t kPongSemaphore = 96;  // the consumer posts a pong, the producer waits
static_assert(sizeof(sem_t) <= 32 && kPingSemaphore % alignof(sem_t) == 0, "two sem_t must fit the header's second line");
static_assert(kPongSemaphore + 32 <= shm::kLinePair);

sem_t* semaphore(const Segment64& segment, std::size_t offset) noexcept {
  return reinterpret_cast<sem_t*>(segment.header() + offset);
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

// One direction's wake-up (ipc/signal_protocol.hpp): sem_wait takes one post.
using Signal = shm::OneShotSignal<sem_t*, &post, &wait>;

// The producer's end: the segment, with a semaphore each way in its header.
class Segment {
 public:
  explicit Segment(const RunnerOptions& options)
      : segment_(Segment64::create(options.payload)),
        ping_(semaphore(segment_, kPingSemaphore)),
        pong_(semaphore(segment_, kPongSemaphore)) {}

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    return {options.consumer_path, {"--name", segment_.memory().name(), "--payload", std::to_string(options.payload)},
            {}, options.consumer_cpu};
  }

  std::function<void()> hand_over(Consumer& consumer) {
    segment_.await_consumer(consumer);
    // The consumer is dead when this runs: nobody else writes the pong
    // channel.  The sentinel first, then the post that ends our sem_wait
    // (sem_post is async-signal-safe, so safe from any thread at any time).
    return [pong = segment_.channels().pong, semaphore = pong_.get()] {
      pong.publish(shm::kInterrupted);
      ::sem_post(semaphore);
    };
  }

  shm::SignalLink<Signal> link() const { return {segment_.channels(), {ping_.get()}, {pong_.get()}}; }
  void stop() { link().stop(); }

 private:
  Segment64 segment_;
  SharedSemaphore ping_, pong_;  // after segment_: destroyed while it is still mapped
};

}  // namespace

std::unique_ptr<Runner> start(const RunnerOptions& options) {
  return std::make_unique<SpawnedRunner<Segment>>(options);
}

int serve(const std::string& name, std::size_t payload) {
  const Segment64 segment = Segment64::open(name, payload);
  segment.set_ready();
  return shm::signal_serve(segment.channels(), payload, Signal{semaphore(segment, kPingSemaphore)},
                           Signal{semaphore(segment, kPongSemaphore)});
}

}  // namespace ipc::transport::shm_sem

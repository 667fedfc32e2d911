// boost_cond: an interprocess_mutex and an interprocess_condition per
// direction in a managed_shared_memory segment (condition_channel.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <boost/date_time/posix_time/posix_time_types.hpp>
#include <boost/interprocess/managed_shared_memory.hpp>
#include <boost/interprocess/shared_memory_object.hpp>
#include <chrono>
#include <string>

#include "boost_common.hpp"
#include "condition_channel.hpp"
#include "ipc/consumer.hpp"
#include "ipc/message.hpp"
#include "ipc/shared_memory.hpp"
#include "ipc/spawned_runner.hpp"
#include "ipc/transport/boost_interprocess/boost_interprocess.hpp"
#include "queue_mutex.hpp"

namespace ipc::transport::boost_interprocess {
namespace {

namespace bip = boost::interprocess;

// Room for the segment's own bookkeeping (its allocator, the index of named
// objects, the Channel) beside the two payloads.
constexpr std::size_t kSegmentOverhead = 64 * 1024;

// A segment name this process created, removed by remove() or at the latest
// on destruction, also when creating the segment itself fails half-way.
class SegmentName {
 public:
  SegmentName() : name_(unguessable_name("ipc_bench")) {}
  SegmentName(const SegmentName&) = delete;
  SegmentName& operator=(const SegmentName&) = delete;
  ~SegmentName() { remove(); }
  void remove() noexcept {
    if (!name_.empty()) bip::shared_memory_object::remove(name_.c_str());
    name_.clear();
  }
  [[nodiscard]] const std::string& get() const noexcept { return name_; }

 private:
  std::string name_;  // empty once removed
};

// Why the producer's wait ended without a pong, once the watchdog found the
// consumer dead or silent.
struct Interrupt {
  std::atomic<bool> set{false};
  // The direction whose mutex the dead consumer still held, or nullptr.
  std::atomic<const char*> abandoned{nullptr};

  [[noreturn]] void fail() const {
    const char* direction = abandoned.load(std::memory_order_acquire);
    if (direction == nullptr) throw Error("no pong");
    throw Error(fmt::format("no pong: the consumer left the {} mutex locked (Boost 1.74's interprocess_mutex is "
                            "not robust), released by ipc_bench to end the run",
                            direction));
  }
};

struct Link {
  Channel* channel;
  unsigned char* ping_buf;
  const unsigned char* pong_buf;
  std::size_t payload;
  const Interrupt* interrupt;

  void send(std::span<const std::byte> ping, std::uint64_t seq) {
    std::memcpy(ping_buf, ping.data(), ping.size());
    {
      bip::scoped_lock lock(channel->ping.mutex);
      if (interrupt->set.load(std::memory_order_acquire)) [[unlikely]]
        interrupt->fail();
      channel->ping.seq = seq;
      channel->ping.size = ping.size();
    }
    channel->ping.changed.notify_one();
  }

  Reply receive(std::span<std::byte> /*buffer*/, std::uint64_t seq) {
    std::size_t size = 0;
    {
      bip::scoped_lock lock(channel->pong.mutex);
      while (!interrupt->set.load(std::memory_order_acquire) && channel->pong.seq != seq)
        channel->pong.changed.wait(lock);
      if (interrupt->set.load(std::memory_order_acquire)) [[unlikely]]
        interrupt->fail();
      size = channel->pong.size;
    }
    return {std::as_bytes(std::span(pong_buf, std::min(size, payload))), size};
  }
};

class Segment {
 public:
  explicit Segment(const RunnerOptions& options)
      : payload_(options.payload),
        timeout_(options.timeout),
        segment_(boost_call("managed_shared_memory " + name_.get(), [&] {
          const std::size_t size = 2 * options.payload + kSegmentOverhead;
          check_shm_space(size);
          return bip::managed_shared_memory(bip::create_only, name_.get().c_str(), size, nullptr, owner_only());
        })),
        channel_(boost_call("boost_cond channel", [&] { return segment_.construct<Channel>(kChannelObject)(); })),
        ping_(boost_call("boost_cond ping", [&] { return segment_.construct<unsigned char>(kPingObject)[payload_](0); })),
        pong_(boost_call("boost_cond pong", [&] { return segment_.construct<unsigned char>(kPongObject)[payload_](0); })) {}

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    return {options.consumer_path, {"--segment", name_.get(), "--payload", std::to_string(options.payload)}, {},
            options.consumer_cpu};
  }

  std::function<void()> hand_over(Consumer& consumer) {
    // try_lock: a consumer that dies holding the mutex must not stall the handshake.
    consumer.await(
        [&] {
          bip::scoped_lock lock(channel_->pong.mutex, bip::try_to_lock);
          return lock.owns() && channel_->pong.ready;
        },
        "READY in the segment");
    // The consumer has the segment mapped: the name has no further use.
    name_.remove();
    return [this] {
      release(channel_->ping, "ping");
      release(channel_->pong, "pong");
    };
  }

  Link link() { return {channel_, ping_, pong_, payload_, &interrupt_}; }

  void stop() {
    // Timed: a consumer that died holding the mutex must not hang the stop.
    bip::scoped_lock lock(channel_->ping.mutex, after(timeout_));
    if (!lock.owns()) throw Error("the consumer holds the ping mutex and does not release it");
    channel_->ping.stop = true;
    lock.unlock();
    channel_->ping.changed.notify_one();
  }

 private:
  // The watchdog's interrupt, once the consumer is dead: sets the flag the
  // producer's waits test, under the direction's mutex so that a wait about
  // to begin sees it, and wakes them.  A mutex still locked after kGrace is
  // the dead consumer's: the producer holds its mutexes for a few stores
  // only.  Boost 1.74 has no robust mutexes, so nothing would ever unlock
  // it, and a timed wait does not help: pthread_cond_timedwait takes the
  // mutex back without a timeout, so the producer would hang there.  The
  // interrupt unlocks it instead; glibc's default (non-error-checking)
  // mutex allows that from a thread that is not its owner.
  void release(Direction& direction, const char* name) {
    if (direction.mutex.timed_lock(after(kGrace))) {
      interrupt_.set.store(true, std::memory_order_release);
      direction.mutex.unlock();
    } else {
      interrupt_.abandoned.store(name, std::memory_order_release);
      interrupt_.set.store(true, std::memory_order_release);
      direction.mutex.unlock();
    }
    direction.changed.notify_all();
  }

  static constexpr std::chrono::milliseconds kGrace{100};

  std::size_t payload_;
  std::chrono::milliseconds timeout_;
  SegmentName name_;  // before the segment: removed if creating it fails
  bip::managed_shared_memory segment_;
  Channel* channel_;
  unsigned char* ping_;
  unsigned char* pong_;
  Interrupt interrupt_;
};

}  // namespace

std::unique_ptr<Runner> start_cond(const RunnerOptions& options) {
  return boost_call("boost_cond",
                    [&] { return std::unique_ptr<Runner>(std::make_unique<SpawnedRunner<Segment>>(options)); });
}

int serve_cond(const std::string& segment, std::size_t payload) {
  return boost_call("boost_cond", [&] { return serve_channel(segment, payload, [](Direction&, std::uint64_t) {}); });
}

}  // namespace ipc::transport::boost_interprocess

// boost_mq: two boost::interprocess::message_queues, the pings' and the pongs'.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <boost/interprocess/ipc/message_queue.hpp>
#include <string>
#include <vector>

#include "boost_common.hpp"
#include "ipc/consumer.hpp"
#include "ipc/message.hpp"
#include "ipc/protocol.hpp"
#include "ipc/shared_memory.hpp"
#include "ipc/spawned_runner.hpp"
#include "ipc/transport/boost_interprocess/boost_interprocess.hpp"
#include "queue_mutex.hpp"

namespace ipc::transport::boost_interprocess {
namespace {

namespace bip = boost::interprocess;

// Strict alternation keeps at most one message in each queue.  The pong
// queue has room for one more: the watchdog's wake-up (below) must fit even
// beside a pong the consumer sent just before it died.
constexpr bip::message_queue::size_type kPingSlots = 1;
constexpr bip::message_queue::size_type kPongSlots = 2;
// Pings, pongs, READY and the stop travel at priority 0; only the wake-up
// uses another, so that it cannot be mistaken for a pong.
constexpr unsigned kWakeUpPriority = 1;

// READY is a message too: every message fits it even when N is smaller.
std::size_t message_size(std::size_t payload) noexcept { return std::max(payload, kReadyMessage.size()); }

// At least what the two queues map: per slot the message rounded up and its
// header and index entry (message_queue's own get_mem_size is private), per
// queue its header and the segment's own.
std::size_t queue_bytes(std::size_t payload) noexcept {
  return (kPingSlots + kPongSlots) * (message_size(payload) + 64) + 2 * 4096;
}

// A queue this process created; its name is removed by remove(), at the
// latest on destruction (the queue itself lives while a side has it mapped).
class CreatedQueue {
 public:
  CreatedQueue(std::string name, bip::message_queue::size_type slots, std::size_t message_bytes)
      : name_(std::move(name)), queue_(boost_call("message_queue " + name_, [&] {
          return std::make_unique<bip::message_queue>(bip::create_only, name_.c_str(), slots, message_bytes,
                                                      owner_only());
        })) {}
  CreatedQueue(const CreatedQueue&) = delete;
  CreatedQueue& operator=(const CreatedQueue&) = delete;
  ~CreatedQueue() { remove(); }

  void remove() noexcept {
    if (!name_.empty()) bip::message_queue::remove(name_.c_str());
    name_.clear();
  }
  [[nodiscard]] bip::message_queue& queue() noexcept { return *queue_; }
  [[nodiscard]] const std::string& name() const noexcept { return name_; }

 private:
  std::string name_;  // empty once removed
  std::unique_ptr<bip::message_queue> queue_;  // neither copied nor moved by Boost 1.74
};

// The queue's own receive wants room for its largest message, so the pong
// lands in a buffer of message_size(N) bytes rather than the Message's.
struct Link {
  bip::message_queue* out;
  bip::message_queue* in;
  std::span<std::byte> reply;
  // The queue whose mutex the dead consumer still held, or nullptr.
  const std::atomic<const char*>* abandoned;

  void send(std::span<const std::byte> ping, std::uint64_t /*seq*/) {
    // Strict alternation leaves the ping queue empty whenever we send: a
    // full one is the consumer's error, and the receive stays the one wait.
    if (!out->try_send(ping.data(), ping.size(), 0))
      throw Error("the ping queue is still full: the consumer did not take the last ping");
  }
  Reply receive(std::span<std::byte> /*buffer*/, std::uint64_t /*seq*/) {
    bip::message_queue::size_type received = 0;
    unsigned priority = 0;
    in->receive(reply.data(), reply.size(), received, priority);
    if (priority == kWakeUpPriority) [[unlikely]] {
      const char* queue = abandoned->load(std::memory_order_acquire);
      if (queue == nullptr) throw Error("no pong");
      throw Error(fmt::format("no pong: the consumer left the {} queue's mutex locked (Boost 1.74's interprocess_mutex "
                              "is not robust), released by ipc_bench to end the run",
                              queue));
    }
    return {reply.first(std::min<std::size_t>(received, reply.size())), received};
  }
};

class Queues {
 public:
  explicit Queues(const RunnerOptions& options)
      : base_name_((check_shm_space(queue_bytes(options.payload)), unguessable_name("ipc_bench"))),
        ping_(base_name_ + "-ping", kPingSlots, message_size(options.payload)),
        pong_(base_name_ + "-pong", kPongSlots, message_size(options.payload)),
        ping_mutex_(boost_call("mapping " + ping_.name(), [&] { return QueueMutex(ping_.name()); })),
        pong_mutex_(boost_call("mapping " + pong_.name(), [&] { return QueueMutex(pong_.name()); })),
        reply_(message_size(options.payload)) {}

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    return {options.consumer_path,
            {"--ping", ping_.name(), "--pong", pong_.name(), "--payload", std::to_string(options.payload)},
            {},
            options.consumer_cpu};
  }

  std::function<void()> hand_over(Consumer& consumer) {
    bip::message_queue::size_type received = 0;
    unsigned priority = 0;
    consumer.await([&] { return pong_.queue().try_receive(reply_.data(), reply_.size(), received, priority); },
                   "READY on the pong queue");
    consumer.guard([&] { expect_ready(std::span(reply_).first(received)); });
    // The consumer opened both queues before READY: the names have no further use.
    ping_.remove();
    pong_.remove();
    // receive() blocks on the queue's condition and nothing but a message
    // ends it.  Once the consumer is dead nobody else writes the pong queue,
    // and one empty message of its own priority wakes our receive; its slot
    // is kept free (kPongSlots).  A timed_receive would cost every round
    // trip a clock read, and would not help where it cannot: a consumer
    // killed inside the queue's own critical section leaves its mutex locked
    // (Boost 1.74 has no robust mutexes, and message_queue takes its mutex
    // without a timeout even in timed_receive), and the producer would hang
    // in the next lock, as would the wake-up's try_send.  So both mutexes
    // are released first (release()).
    return [this] {
      release(ping_mutex_, "ping");
      release(pong_mutex_, "pong");
      const char nothing = 0;
      (void)pong_.queue().try_send(&nothing, 0, kWakeUpPriority);
    };
  }

  Link link() { return {&ping_.queue(), &pong_.queue(), reply_, &abandoned_}; }
  void stop() {
    if (!ping_.queue().try_send("", 0, 0)) throw Error("the ping queue is still full at the stop");
  }

 private:
  // A queue's mutex still locked after kGrace is the dead consumer's: the
  // producer holds it for a copy only.  Nothing would ever unlock it; glibc's
  // default (non-error-checking) mutex lets the watchdog's thread, which is
  // not its owner, do so.
  void release(QueueMutex& mutex, const char* queue) {
    if (mutex.get().timed_lock(after(kGrace))) {
      mutex.get().unlock();
    } else {
      abandoned_.store(queue, std::memory_order_release);
      mutex.get().unlock();
    }
  }

  static constexpr std::chrono::milliseconds kGrace{100};

  std::string base_name_;
  CreatedQueue ping_, pong_;
  QueueMutex ping_mutex_, pong_mutex_;  // the queues' own, mapped while they have their names
  std::atomic<const char*> abandoned_{nullptr};
  std::vector<std::byte> reply_;  // message_size(N) bytes: the queue wants room for its largest message
};

}  // namespace

std::unique_ptr<Runner> start_mq(const RunnerOptions& options) {
  return boost_call("boost_mq", [&] { return std::unique_ptr<Runner>(std::make_unique<SpawnedRunner<Queues>>(options)); });
}

std::string unavailable() { return {}; }

int serve_mq(const std::string& ping, const std::string& pong, std::size_t payload) {
  return boost_call("boost_mq", [&] {
    bip::message_queue in(bip::open_only, ping.c_str());
    bip::message_queue out(bip::open_only, pong.c_str());
    if (in.get_max_msg_size() != message_size(payload))
      throw Error(fmt::format("queue {} was set up for {}-byte messages, not {}", ping, in.get_max_msg_size(),
                              message_size(payload)));
    out.send(kReadyMessage.data(), kReadyMessage.size(), 0);
    std::vector<std::byte> buf(message_size(payload));
    for (;;) {
      bip::message_queue::size_type received = 0;
      unsigned priority = 0;
      in.receive(buf.data(), buf.size(), received, priority);
      if (received == 0) return 0;  // the stop
      out.send(buf.data(), received, 0);
    }
  });
}

}  // namespace ipc::transport::boost_interprocess

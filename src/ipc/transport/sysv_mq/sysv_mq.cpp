#include "ipc/transport/sysv_mq/sysv_mq.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/ipc.h>
#include <sys/msg.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "ipc/consumer.hpp"
#include "ipc/message.hpp"
#include "ipc/protocol.hpp"
#include "ipc/spawned_runner.hpp"
#include "ipc/sys.hpp"
#include "text_file.hpp"

namespace ipc::transport::sysv_mq {
namespace {

// One queue for both directions: the mtype says which.  Strict alternation
// keeps at most one message in it, so the producer sets its byte limit
// (msg_qbytes) to one message, max(N, 6), which the consumer checks as its
// proof of N.  Two queues would only double what a run leaves behind when
// it is killed (below).
constexpr long kPing = 1;  // producer to consumer: pings, and the stop (an empty message)
constexpr long kPong = 2;  // consumer to producer: READY, then the pongs

// READY is a message too: every message fits 6 bytes even when N is smaller.
std::size_t message_size(std::size_t payload) noexcept { return std::max(payload, kReadyMessage.size()); }

// msgsnd and msgrcv take a long mtype followed by the text; the buffer is
// made of longs so that the mtype is aligned.
class MessageBuffer {
 public:
  explicit MessageBuffer(std::size_t capacity)
      : capacity_(capacity), storage_(1 + (capacity + sizeof(long) - 1) / sizeof(long)) {}
  [[nodiscard]] void* raw() noexcept { return storage_.data(); }
  [[nodiscard]] std::byte* text() noexcept { return reinterpret_cast<std::byte*>(storage_.data() + 1); }
  [[nodiscard]] long& type() noexcept { return storage_[0]; }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

 private:
  std::size_t capacity_;
  std::vector<long> storage_;
};

// `removed`: what an EIDRM means to this side.
void send(int queue, MessageBuffer& buffer, long type, std::size_t length, int flags, const char* removed) {
  buffer.type() = type;
  while (sys::msgsnd(queue, buffer.raw(), length, flags) != 0) {
    if (errno == EAGAIN) throw Error("the message queue is still full: the consumer did not take the last ping");
    if (errno == EIDRM) throw Error(removed);
    if (errno != EINTR) throw_errno("msgsnd");
  }
}

std::size_t receive(int queue, MessageBuffer& buffer, long type, const char* removed) {
  for (;;) {
    // No MSG_NOERROR: a message longer than the buffer fails (E2BIG) instead of being cut.
    const ssize_t r = sys::msgrcv(queue, buffer.raw(), buffer.capacity(), type, 0);
    if (r >= 0) return static_cast<std::size_t>(r);
    if (errno == EIDRM) throw Error(removed);
    if (errno == E2BIG) throw Error(fmt::format("msgrcv: a message longer than {} bytes", buffer.capacity()));
    if (errno != EINTR) throw_errno("msgrcv");
  }
}

int create_queue() {
  // IPC_PRIVATE: a new queue, found by no key; mode 0600: this user only.
  const int queue = ::msgget(IPC_PRIVATE, IPC_CREAT | 0600);
  if (queue < 0) throw_errno("msgget");
  return queue;
}

// The queue this process created, removed with the runner or, once the
// consumer is dead, at once by the watchdog (remove() may run on either
// thread, exactly once: a msqid removed twice might by then name a stranger's
// queue).
//
// It cannot be removed any earlier: IPC_RMID destroys a queue at once, even
// one still in use, and a System V queue has no name to unlink while its
// users keep it open.  So a run killed with SIGKILL leaves it behind
// (docs/protocol.md, sysv_mq).
class PrivateQueue {
 public:
  PrivateQueue() : id_(create_queue()) {}
  PrivateQueue(const PrivateQueue&) = delete;
  PrivateQueue& operator=(const PrivateQueue&) = delete;
  ~PrivateQueue() { remove(); }

  void remove() noexcept {
    if (!removed_.exchange(true)) ::msgctl(id_, IPC_RMID, nullptr);
  }
  [[nodiscard]] int id() const noexcept { return id_; }

 private:
  int id_;
  std::atomic<bool> removed_{false};
};

// The producer's Link (ipc/round_trip_loop.hpp).  msgsnd wants the mtype
// before the text, so the ping is copied into a buffer of its own.
struct Link {
  int queue;
  MessageBuffer& out;
  MessageBuffer& in;

  void send(std::span<const std::byte> ping, std::uint64_t /*seq*/) {
    std::memcpy(out.text(), ping.data(), ping.size());
    // IPC_NOWAIT: the queue is empty whenever we send, so a full one is the
    // consumer's error (EAGAIN), and the receive stays the only wait to break.
    sysv_mq::send(queue, out, kPing, ping.size(), IPC_NOWAIT, "no pong");
  }
  Reply receive(std::span<std::byte> /*buffer*/, std::uint64_t /*seq*/) {
    // The watchdog removes the queue once the consumer is dead: EIDRM.
    const std::size_t received = sysv_mq::receive(queue, in, kPong, "no pong");
    return {std::span<const std::byte>(in.text(), received), received};
  }
};

// The producer's end: the one queue and a message buffer each way.
class Queue {
 public:
  explicit Queue(const RunnerOptions& options)
      : out_(message_size(options.payload)), in_(message_size(options.payload)) {
    // One message at a time (see kPing): lowering msg_qbytes needs no privilege.
    msqid_ds attributes{};
    if (::msgctl(queue_.id(), IPC_STAT, &attributes) != 0) throw_errno("msgctl IPC_STAT");
    attributes.msg_qbytes = message_size(options.payload);
    if (::msgctl(queue_.id(), IPC_SET, &attributes) != 0) throw_errno("msgctl IPC_SET");
  }

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    return {options.consumer_path,
            {"--queue", std::to_string(queue_.id()), "--payload", std::to_string(options.payload)},
            {},
            options.consumer_cpu};
  }

  std::function<void()> hand_over(Consumer& consumer) {
    std::size_t ready = 0;
    consumer.await(
        [&] {
          const ssize_t r = sys::msgrcv(queue_.id(), in_.raw(), in_.capacity(), kPong, IPC_NOWAIT);
          if (r >= 0) ready = static_cast<std::size_t>(r);
          else if (errno != ENOMSG && errno != EINTR) throw_errno("msgrcv");
          return r >= 0;
        },
        "READY on the message queue");
    consumer.guard([&] { expect_ready(std::span<const std::byte>(in_.text(), ready)); });
    // msgrcv blocks and only a message, a signal or the queue's removal ends
    // it.  Once the consumer is dead the queue has no further use: removing
    // it ends our wait with EIDRM, at no cost to the loop.
    return [&queue = queue_] { queue.remove(); };
  }

  Link link() { return {queue_.id(), out_, in_}; }
  void stop() { send(queue_.id(), out_, kPing, 0, IPC_NOWAIT, "the message queue was removed"); }

 private:
  // Outlives the consumer: SpawnedRunner stops and reaps it, and joins the
  // watchdog that holds a reference to this queue, before a mechanism goes.
  PrivateQueue queue_;
  MessageBuffer out_, in_;
};

std::size_t read_limit(const char* path) {
  const auto value = detail::read_int(path);
  return value ? static_cast<std::size_t>(*value) : kMaxPayload;
}

}  // namespace

SystemLimit system_limit(std::size_t wanted) {
  // A message must fit both the largest message (msgmax) and the queue's
  // byte limit (msgmnb, the initial msg_qbytes); root could raise a queue's
  // msg_qbytes past msgmnb, but what runs should not depend on who runs it.
  const std::size_t msgmax = read_limit("/proc/sys/kernel/msgmax");
  const std::size_t msgmnb = read_limit("/proc/sys/kernel/msgmnb");
  const std::size_t fits = std::min({kMaxPayload, msgmax, msgmnb});
  const std::size_t needed = message_size(wanted);
  std::vector<std::string> raise;
  if (msgmax < needed) raise.push_back(fmt::format("kernel.msgmax={}", needed));
  if (msgmnb < needed) raise.push_back(fmt::format("kernel.msgmnb={}", needed));
  if (raise.empty()) return {fits, {}};
  return {fits, fmt::format("kernel.msgmax is {} bytes and kernel.msgmnb {}; raise them as root with `sysctl {}`", msgmax,
                            msgmnb, fmt::join(raise, " "))};
}

std::string unavailable() {
  const int queue = ::msgget(IPC_PRIVATE, IPC_CREAT | 0600);
  if (queue >= 0) {
    ::msgctl(queue, IPC_RMID, nullptr);
    return {};
  }
  const int error = errno;
  switch (error) {
    case ENOSYS:
      return "this kernel has no System V IPC (built without CONFIG_SYSVIPC)";
    case ENOSPC:
      return "kernel.msgmni System V message queues exist already (`ipcs -q` lists them, `ipcrm -q ID` removes "
             "one); or raise it as root with `sysctl kernel.msgmni=...`";
    case EPERM:
    case EACCES:
      return fmt::format("msgget is refused here ({}): a seccomp filter or the container's policy forbids System V "
                         "IPC; allow msgget, msgsnd, msgrcv and msgctl",
                         std::strerror(error));
    default:
      return fmt::format("msgget(IPC_PRIVATE) failed: {}", std::strerror(error));
  }
}

std::unique_ptr<Runner> start(const RunnerOptions& options) { return std::make_unique<SpawnedRunner<Queue>>(options); }

int serve(int queue, std::size_t payload) {
  msqid_ds attributes{};
  if (::msgctl(queue, IPC_STAT, &attributes) != 0) throw_errno(fmt::format("msgctl IPC_STAT {}", queue));
  if (attributes.msg_qbytes != message_size(payload))
    throw Error(fmt::format("queue {} was set up for {}-byte messages, not {}", queue, attributes.msg_qbytes,
                            message_size(payload)));
  const char* removed = "the message queue was removed";
  MessageBuffer buffer(message_size(payload));
  std::memcpy(buffer.text(), kReadyMessage.data(), kReadyMessage.size());
  send(queue, buffer, kPong, kReadyMessage.size(), 0, removed);
  for (;;) {
    const std::size_t received = receive(queue, buffer, kPing, removed);
    if (received == 0) return 0;  // the stop
    send(queue, buffer, kPong, received, 0, removed);
  }
}

}  // namespace ipc::transport::sysv_mq

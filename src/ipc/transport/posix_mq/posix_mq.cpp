#include "ipc/transport/posix_mq/posix_mq.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <mqueue.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <type_traits>
#include <vector>

#include "ipc/consumer.hpp"
#include "ipc/message.hpp"
#include "ipc/protocol.hpp"
#include "ipc/shared_memory.hpp"
#include "ipc/spawned_runner.hpp"
#include "ipc/sys.hpp"
#include "ipc/unique_fd.hpp"

namespace ipc::transport::posix_mq {
namespace {

// On Linux a queue descriptor is a file descriptor (mq_overview(7)): it can
// be polled, which the handshake does, and closed by UniqueFd (mq_close is
// close).  The kernel makes every one close-on-exec, whatever the flags.
static_assert(std::is_same_v<mqd_t, int>, "posix_mq relies on Linux's queue descriptors being file descriptors");

// Strict alternation keeps at most one message in each queue.  The pong
// queue has room for one more: the producer's wake-up (below) must always
// fit, even beside a pong the consumer sent just before it died.
constexpr long kPingSlots = 1;
constexpr long kPongSlots = 2;
// Pings, pongs, READY and the stop travel at priority 0; only the wake-up
// uses another, so that it cannot be mistaken for a pong.
constexpr unsigned kWakeUpPriority = 1;
// What the kernel charges against RLIMIT_MSGQUEUE per message slot besides
// the message itself: a struct msg_msg and a posix_msg_tree_node, 48 bytes
// each on 64-bit Linux; rounded up.
constexpr std::size_t kSlotOverhead = 128;

// READY is a message too: every message fits 6 bytes even when N is smaller.
std::size_t message_size(std::size_t payload) noexcept { return std::max(payload, kReadyMessage.size()); }

UniqueFd open_queue(const std::string& name, int flags, long slots = 0, std::size_t message_bytes = 0) {
  mq_attr attr{};
  attr.mq_maxmsg = slots;
  attr.mq_msgsize = static_cast<long>(message_bytes);
  // O_CREAT | O_EXCL: a name that already exists is never taken over.
  const int fd =
      (flags & O_CREAT) ? ::mq_open(name.c_str(), flags | O_EXCL, 0600, &attr) : ::mq_open(name.c_str(), flags);
  if (fd < 0) {
    if (errno == EMFILE && (flags & O_CREAT))
      throw Error(fmt::format("mq_open {}: {} (all message queues of this user count against RLIMIT_MSGQUEUE: "
                              "ulimit -q)",
                              name, std::strerror(errno)));
    if (errno == ENOSPC && (flags & O_CREAT))
      throw Error(fmt::format("mq_open {}: {} (fs.mqueue.queues_max message queues exist already: raise it as root "
                              "with `sysctl fs.mqueue.queues_max=...`)",
                              name, std::strerror(errno)));
    throw_errno("mq_open " + name);
  }
  return UniqueFd(fd);
}

void send(int fd, std::span<const std::byte> message, unsigned priority = 0) {
  // mq_send wants a pointer even for an empty message (the stop).
  const char* data = message.empty() ? "" : reinterpret_cast<const char*>(message.data());
  while (sys::mq_send(fd, data, message.size(), priority) != 0) {
    if (errno == EAGAIN) throw Error("the ping queue is still full: the consumer did not take the last ping");
    if (errno != EINTR) throw_errno("mq_send");
  }
}

std::size_t receive(int fd, std::span<std::byte> buf, unsigned* priority) {
  for (;;) {
    const ssize_t r = sys::mq_receive(fd, reinterpret_cast<char*>(buf.data()), buf.size(), priority);
    if (r >= 0) return static_cast<std::size_t>(r);
    if (errno != EINTR) throw_errno("mq_receive");
  }
}

std::optional<std::size_t> read_number(const char* path) {
  std::ifstream in(path);
  std::size_t value = 0;
  if (in >> value) return value;
  return std::nullopt;
}

// A queue this process created: its name is unlinked by unlink(), at the
// latest on destruction.
class CreatedQueue {
 public:
  CreatedQueue(std::string name, int flags, long slots, std::size_t message_bytes)
      : name_(std::move(name)), fd_(open_queue(name_, flags | O_CREAT, slots, message_bytes)) {}
  CreatedQueue(const CreatedQueue&) = delete;
  CreatedQueue& operator=(const CreatedQueue&) = delete;
  ~CreatedQueue() { unlink(); }

  void unlink() noexcept {
    if (!name_.empty()) ::mq_unlink(name_.c_str());
    name_.clear();
  }
  [[nodiscard]] int fd() const noexcept { return fd_.get(); }
  [[nodiscard]] const std::string& name() const noexcept { return name_; }

 private:
  std::string name_;  // empty once unlinked
  UniqueFd fd_;
};

// mq_receive wants room for the largest message the queue takes, so the
// pong lands in a buffer of message_size(N) bytes rather than the Message's.
struct Link {
  int out, in;
  std::span<std::byte> reply;

  void send(std::span<const std::byte> ping, std::uint64_t /*seq*/) { posix_mq::send(out, ping); }
  Reply receive(std::span<std::byte> /*buffer*/, std::uint64_t /*seq*/) {
    unsigned priority = 0;
    const std::size_t received = posix_mq::receive(in, reply, &priority);
    if (priority == kWakeUpPriority) [[unlikely]]
      throw Error("no pong");
    return {reply.first(std::min(received, reply.size())), received};
  }
};

// The producer's end: the ping and pong queues, and the pong queue again
// for the watchdog's wake-up.
class Queues {
 public:
  explicit Queues(const RunnerOptions& options)
      : base_name_(unguessable_name("ipc_bench")),
        // Non-blocking: strict alternation leaves the ping queue empty
        // whenever we send, so a full one is the consumer's error (EAGAIN),
        // and the receive below stays the only wait to break.
        ping_(base_name_ + "-ping", O_WRONLY | O_NONBLOCK, kPingSlots, message_size(options.payload)),
        pong_(base_name_ + "-pong", O_RDONLY, kPongSlots, message_size(options.payload)),
        wake_(open_queue(pong_.name(), O_WRONLY | O_NONBLOCK)),
        reply_(message_size(options.payload)) {}

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    return {options.consumer_path,
            {"--ping", ping_.name(), "--pong", pong_.name(), "--payload", std::to_string(options.payload)},
            {},
            options.consumer_cpu};
  }

  std::function<void()> hand_over(Consumer& consumer) {
    consumer.await_readable(pong_.fd(), "READY on the pong queue");
    consumer.guard([&] { expect_ready(std::span(reply_).first(receive(pong_.fd(), reply_, nullptr))); });
    // The consumer opened both queues before READY: the names have no further use.
    ping_.unlink();
    pong_.unlink();
    // mq_receive blocks and nothing but a message ends it: closing the queue
    // or unlinking its name does not.  Once the consumer is dead, nobody
    // else can write the pong queue, and one empty message of its own
    // priority wakes our receive.  Its slot is kept free (kPongSlots), so
    // the send cannot fail for want of room.  mq_timedreceive could bound
    // each wait instead, but would cost every round trip an absolute
    // deadline (a clock read) and the kernel a timer armed per blocking
    // wait, where this costs the loop nothing.
    return [fd = wake_.get()] {
      const char nothing = 0;
      ::mq_send(fd, &nothing, 0, kWakeUpPriority);
    };
  }

  Link link() { return {ping_.fd(), pong_.fd(), reply_}; }
  void stop() { send(ping_.fd(), {}); }

 private:
  std::string base_name_;
  CreatedQueue ping_, pong_;
  UniqueFd wake_;                 // the pong queue again, for the watchdog's wake-up
  std::vector<std::byte> reply_;  // message_size(N) bytes: mq_receive wants room for the largest message
};

}  // namespace

SystemLimit system_limit(std::size_t wanted) {
  SystemLimit limit{kMaxPayload, {}};
  // Root (CAP_SYS_RESOURCE) may create queues beyond msgsize_max; we keep to
  // it anyway, so that what runs does not depend on who runs it.
  const auto msgsize_max = read_number("/proc/sys/fs/mqueue/msgsize_max");
  if (msgsize_max && *msgsize_max < limit.max_payload) {
    limit = {*msgsize_max,
             fmt::format("fs.mqueue.msgsize_max is {} bytes; raise it as root with `sysctl fs.mqueue.msgsize_max={}`",
                         *msgsize_max, wanted)};
  }
  // Without CAP_SYS_RESOURCE mq_open fails on these with a bare ENOSPC or
  // EINVAL; refused before the run, like msgsize_max, whoever runs it.
  constexpr std::size_t kQueues = 2;
  const auto queues_max = read_number("/proc/sys/fs/mqueue/queues_max");
  if (queues_max && *queues_max < kQueues) {
    limit = {0, fmt::format("fs.mqueue.queues_max is {}, it needs {} queues; raise it as root with `sysctl "
                            "fs.mqueue.queues_max={}`",
                            *queues_max, kQueues, kQueues)};
  }
  const auto msg_max = read_number("/proc/sys/fs/mqueue/msg_max");
  if (msg_max && *msg_max < static_cast<std::size_t>(kPongSlots)) {
    limit = {0, fmt::format("fs.mqueue.msg_max is {}, its pong queue holds {} messages; raise it as root with `sysctl "
                            "fs.mqueue.msg_max={}`",
                            *msg_max, kPongSlots, kPongSlots)};
  }
  // Both queues are charged, slot by slot, against this user's RLIMIT_MSGQUEUE.
  rlimit rl{};
  if (::getrlimit(RLIMIT_MSGQUEUE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
    constexpr std::size_t slots = kPingSlots + kPongSlots;
    const std::size_t per_slot = static_cast<std::size_t>(rl.rlim_cur) / slots;
    const std::size_t fits = per_slot > kSlotOverhead ? per_slot - kSlotOverhead : 0;
    if (fits < limit.max_payload) {
      limit = {fits, fmt::format("its two queues ({} message slots) count against RLIMIT_MSGQUEUE, {} bytes "
                                 "here; raise it with `ulimit -q {}`",
                                 slots, rl.rlim_cur, slots * (message_size(wanted) + kSlotOverhead))};
    }
  }
  return limit;
}

std::unique_ptr<Runner> start(const RunnerOptions& options) { return std::make_unique<SpawnedRunner<Queues>>(options); }

int serve(const std::string& ping, const std::string& pong, std::size_t payload) {
  const UniqueFd in = open_queue(ping, O_RDONLY);
  const UniqueFd out = open_queue(pong, O_WRONLY);
  mq_attr attr{};
  if (::mq_getattr(in.get(), &attr) != 0) throw_errno("mq_getattr " + ping);
  if (static_cast<std::size_t>(attr.mq_msgsize) != message_size(payload))
    throw Error(fmt::format("queue {} was set up for {}-byte messages, not {}", ping, attr.mq_msgsize,
                            message_size(payload)));
  send(out.get(), ready_bytes());
  std::vector<std::byte> buf(message_size(payload));
  for (;;) {
    const std::size_t received = receive(in.get(), buf, nullptr);
    if (received == 0) return 0;  // the stop
    send(out.get(), std::span(buf).first(received));
  }
}

}  // namespace ipc::transport::posix_mq

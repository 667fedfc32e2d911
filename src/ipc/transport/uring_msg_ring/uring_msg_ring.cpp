#include "ipc/transport/uring_msg_ring/uring_msg_ring.hpp"

#include <fmt/format.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#include "ipc/consumer.hpp"
#include "ipc/message.hpp"
#include "ipc/protocol.hpp"
#include "ipc/shm_segment.hpp"
#include "ipc/spawned_runner.hpp"
#include "ipc/unique_fd.hpp"
#include "uring.hpp"

namespace ipc::transport::uring_msg_ring {
namespace {

// The payload and the 64-bit sequence words live in a segment laid out like
// eventfd's (ipc/shm_segment.hpp).  A side release-stores its sequence word,
// then posts a completion into the other side's ring with
// IORING_OP_MSG_RING, its user_data the same sequence number; the other side
// sleeps in io_uring_enter until that completion arrives, then
// acquire-loads the word.  Each side makes one system call per message:
// the post of its own message and the wait for the peer's go into one
// io_uring_enter.  IOSQE_CQE_SKIP_SUCCESS: a successful post leaves no
// completion in the poster's ring, so the only completion a side waits for
// is the peer's (a failed post still leaves one, with kPost as user_data).
//
// The producer sets up both rings: its own, and the consumer's, which it
// only targets.  The consumer inherits both descriptors and maps its ring
// with the parameters io_uring_setup returned, sent over a Unix socket pair
// ahead of it.  (An io_uring descriptor cannot travel in SCM_RIGHTS, so the
// consumer could not hand back a ring of its own making.)  Nothing but the
// descriptors crosses: each ring is driven by one process only.
//
// The watchdog wakes the producer with a post of its own, from a third ring
// that only the watchdog thread uses (the producer's submission queue is
// not thread-safe), its user_data kInterrupted.
using shm::kInterrupted;
using shm::kStop;
using Channels = shm::Channels<std::uint64_t>;

constexpr std::uint64_t kPost = std::numeric_limits<std::uint64_t>::max() - 2;  // user_data of our own posts
// What the stop is posted as.  Not kStop itself: liburing takes a completion
// whose user_data is all ones for one of its own and drops it unseen.
// Sequence numbers start at 1, so 0 is free.
constexpr std::uint64_t kStopPost = 0;

void queue_post(uring::Ring& ring, int target, std::uint64_t value) {
  io_uring_sqe* sqe = ring.sqe();
  ::io_uring_prep_msg_ring(sqe, target, 0, value, 0);
  sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
  ::io_uring_sqe_set_data64(sqe, kPost);
}

// Submits what is queued and waits for the peer's completion; returns its
// user_data.
std::uint64_t await_post(uring::Ring& ring) {
  ring.submit_and_wait(1);
  io_uring_cqe* cqe = ring.next();
  const std::uint64_t value = ::io_uring_cqe_get_data64(cqe);
  const int res = cqe->res;
  ring.seen(cqe);
  if (value == kPost) throw Error(fmt::format("IORING_OP_MSG_RING: {}", std::strerror(-res)));
  return value;
}

struct Link {
  const Channels& channels;
  uring::Ring& ring;
  int consumer_ring;

  void send(std::span<const std::byte> ping, std::uint64_t seq) {
    std::memcpy(channels.ping.data(), ping.data(), ping.size());
    channels.ping.publish(seq);
    queue_post(ring, consumer_ring,
               seq);  // submitted by receive(), with the wait
  }
  Reply receive(std::span<std::byte> buffer, std::uint64_t seq) {
    const std::uint64_t posted = await_post(ring);
    const std::uint64_t answered = channels.pong.load();
    if (posted != seq || answered != seq) [[unlikely]]
      fail(posted, answered, seq);
    return {std::span<const std::byte>(channels.pong.data(), buffer.size()), buffer.size()};
  }
  [[noreturn]] static void fail(std::uint64_t posted, std::uint64_t answered, std::uint64_t expected) {
    if (posted == kInterrupted) throw Error("no pong");
    throw Error(
        fmt::format("pong completion carries sequence {} and the channel {}, expected {}", posted, answered, expected));
  }
};

// The producer's end: the segment, both rings, the watchdog's ring and the
// socket pair that carries the consumer's ring parameters and READY.
class Rings {
 public:
  explicit Rings(const RunnerOptions& options)
      : segment_(shm::MappedSegment<std::uint64_t>::create(options.payload)),
        ring_(4),
        consumer_ring_(uring::set_up(4)),
        waker_(1) {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) throw_errno("socketpair");
    ours_.reset(fds[0]);
    theirs_.reset(fds[1]);
    // Waits in the socket for the consumer to read it first thing.
    if (::send(ours_.get(), &consumer_ring_.params, sizeof consumer_ring_.params, MSG_NOSIGNAL) !=
        static_cast<ssize_t>(sizeof consumer_ring_.params))
      throw_errno("send the consumer's ring parameters");
  }

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    return {options.consumer_path,
            {"--name", segment_.memory().name(), "--ring-fd", std::to_string(kConsumerRingFd), "--producer-ring-fd",
             std::to_string(kProducerRingFd), "--socket-fd", std::to_string(kSocketFd), "--payload",
             std::to_string(options.payload)},
            {{ring_.fd(), kProducerRingFd}, {theirs_.get(), kSocketFd}, {consumer_ring_.fd.get(), kConsumerRingFd}},
            options.consumer_cpu};
  }

  std::function<void()> hand_over(Consumer& consumer) {
    theirs_.reset();
    consumer.await_readable(ours_.get(), "READY from the consumer");
    consumer.guard([&] { receive_ready(); });
    segment_.unlink();
    // The consumer is dead when this runs: nobody else writes the pong
    // channel.  The sentinel first, then the post that wakes our wait.
    // `this` is the mechanism, whose address does not change.
    return [this] {
      segment_.channels().pong.publish(kInterrupted);
      io_uring_sqe* sqe = waker_.sqe();
      ::io_uring_prep_msg_ring(sqe, ring_.fd(), 0, kInterrupted, 0);
      [[maybe_unused]] const int r = ::io_uring_submit_and_wait(waker_.get(), 1);
    };
  }

  Link link() { return {segment_.channels(), ring_, consumer_ring_.fd.get()}; }

  void stop() {
    segment_.channels().ping.publish(kStop);
    queue_post(ring_, consumer_ring_.fd.get(), kStopPost);
    ring_.submit_and_wait(0);
    // A failed post leaves a completion; a successful one none.
    io_uring_cqe* cqe = nullptr;
    if (::io_uring_peek_cqe(ring_.get(), &cqe) == 0 && cqe != nullptr && ::io_uring_cqe_get_data64(cqe) == kPost)
      throw Error(fmt::format("IORING_OP_MSG_RING: {}", std::strerror(-cqe->res)));
  }

 private:
  void receive_ready() {
    std::byte ready[kReadyMessage.size() + 1];
    ssize_t r;
    do {
      r = ::recv(ours_.get(), ready, sizeof ready, 0);
    } while (r < 0 && errno == EINTR);
    if (r < 0) throw_errno("recv");
    if (r == 0) throw Error("handshake failed: the consumer closed the connection");
    expect_ready(std::span(ready, std::min(static_cast<std::size_t>(r), sizeof ready)));
    if (!segment_.consumer_ready())
      throw Error("handshake failed: the consumer sent READY without setting consumer_ready");
  }

  shm::MappedSegment<std::uint64_t> segment_;
  uring::Ring ring_;
  uring::Unmapped consumer_ring_;  // mapped by the consumer only
  uring::Ring waker_;              // the watchdog thread's only
  UniqueFd ours_, theirs_;
};

}  // namespace

std::unique_ptr<Runner> start(const RunnerOptions& options) { return std::make_unique<SpawnedRunner<Rings>>(options); }

std::string unavailable() { return uring::unavailable(IORING_OP_MSG_RING, "IORING_OP_MSG_RING", "5.18"); }

int serve(const std::string& name, int ring_fd, int producer_ring_fd, int socket_fd, std::size_t payload) {
  uring::expect_ring(ring_fd, "--ring-fd");
  uring::expect_ring(producer_ring_fd, "--producer-ring-fd");
  io_uring_params params{};
  ssize_t got;
  do {
    got = ::recv(socket_fd, &params, sizeof params, 0);
  } while (got < 0 && errno == EINTR);
  if (got < 0) throw_errno("--socket-fd: receiving the ring's parameters");
  if (got != static_cast<ssize_t>(sizeof params))
    throw Error(fmt::format("--socket-fd: the ring's parameters are {} bytes, not {}", got, sizeof params));
  uring::Ring ring(ring_fd, params);
  const auto segment = shm::MappedSegment<std::uint64_t>::open(name, payload);
  const Channels& channels = segment.channels();
  segment.set_ready();
  if (::send(socket_fd, ready_bytes().data(), ready_bytes().size(), MSG_NOSIGNAL) < 0) throw_errno("send READY");
  for (std::uint64_t seq = 1;; ++seq) {
    const std::uint64_t posted = await_post(ring);  // with the previous pong's post, if any
    const std::uint64_t got = channels.ping.load();
    if (got == kStop) return 0;
    if (got != seq || posted != seq)
      throw Error(fmt::format("ping sequence {} posted as {}, expected {}", got, posted, seq));
    std::memcpy(channels.pong.data(), channels.ping.data(), payload);
    channels.pong.publish(seq);
    queue_post(ring, producer_ring_fd, seq);
  }
}

}  // namespace ipc::transport::uring_msg_ring

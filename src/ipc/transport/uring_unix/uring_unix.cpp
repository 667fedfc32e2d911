#include "ipc/transport/uring_unix/uring_unix.hpp"

#include <fmt/format.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "ipc/consumer.hpp"
#include "ipc/io.hpp"
#include "ipc/message.hpp"
#include "ipc/protocol.hpp"
#include "ipc/spawned_runner.hpp"
#include "ipc/unique_fd.hpp"
#include "uring.hpp"

namespace ipc::transport::uring_unix {
namespace {

// Each message is one send and one receive of exactly N bytes on a
// connected Unix stream socket pair, as unix_stream, but every transfer is
// an io_uring request and each side enters the kernel once per message:
//
//   producer: send(ping) + recv(pong), one io_uring_enter waiting for both;
//   consumer: send(pong) + recv(next ping), one io_uring_enter waiting for
//   both.
//
// Neither pair needs linking: a receive cannot complete before the peer
// answers, and the peer answers only once the send's bytes have arrived.
// For the same reason the consumer sends the pong from, and receives the
// next ping into, one buffer: the next ping's first byte can only come
// after the producer has the whole pong, so after the send has copied it.
//
// MSG_WAITALL makes the kernel retry a short stream transfer inside the
// request (Linux 5.18 for receives, 6.0 for sends); what still comes back
// short (an older kernel) is finished by plain blocking calls.  MSG_NOSIGNAL:
// a peer gone is an error, not a SIGPIPE.
constexpr int kSendFlags = MSG_WAITALL | MSG_NOSIGNAL;
constexpr int kRecvFlags = MSG_WAITALL;
constexpr std::uint64_t kSend = 1;  // user_data of the send request
constexpr std::uint64_t kRecv = 2;  // user_data of the receive request

void queue_send(uring::Ring& ring, int fd, std::span<const std::byte> data) {
  io_uring_sqe* sqe = ring.sqe();
  ::io_uring_prep_send(sqe, fd, data.data(), data.size(), kSendFlags);
  ::io_uring_sqe_set_data64(sqe, kSend);
}

void queue_recv(uring::Ring& ring, int fd, std::span<std::byte> data) {
  io_uring_sqe* sqe = ring.sqe();
  ::io_uring_prep_recv(sqe, fd, data.data(), data.size(), kRecvFlags);
  ::io_uring_sqe_set_data64(sqe, kRecv);
}

// Collects the completions of a queued send (if `send`) and receive of
// `out` and `in` on `fd`; finishes a short one.  Returns false at end of
// file before the first received byte.  Throws ipc::Error.
bool collect(uring::Ring& ring, int fd, std::span<const std::byte> out, bool send, std::span<std::byte> in) {
  bool eof = false;
  for (int left = send ? 2 : 1; left > 0; --left) {
    io_uring_cqe* cqe = ring.next();
    const std::uint64_t which = ::io_uring_cqe_get_data64(cqe);
    const int res = cqe->res;
    ring.seen(cqe);
    if (res < 0) throw Error(fmt::format("io_uring {}: {}", which == kSend ? "send" : "recv", std::strerror(-res)));
    const auto done = static_cast<std::size_t>(res);
    if (which == kSend) {
      if (done != out.size()) [[unlikely]]
        write_all(fd, out.subspan(done));
    } else if (done == 0 && !in.empty()) {
      eof = true;
    } else if (done != in.size()) [[unlikely]] {
      if (read_exact(fd, in.subspan(done)) == ReadResult::eof) throw Error("end of file inside a message");
    }
  }
  return !eof;
}

struct Link {
  uring::Ring& ring;
  int fd;
  std::span<const std::byte> ping;

  // Only queued: receive() submits both in one system call.
  void send(std::span<const std::byte> message, std::uint64_t /*seq*/) {
    ping = message;
    queue_send(ring, fd, message);
  }
  Reply receive(std::span<std::byte> buffer, std::uint64_t /*seq*/) {
    queue_recv(ring, fd, buffer);
    ring.submit_and_wait(2);
    if (!collect(ring, fd, ping, true, buffer)) [[unlikely]]
      throw Error("the consumer closed the connection");
    return {buffer, buffer.size()};
  }
};

// The producer's end: its ring and a connected Unix stream socket pair.
class RingSocket {
 public:
  explicit RingSocket(const RunnerOptions& /*options*/) : ring_(4) {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) throw_errno("socketpair");
    ours_.reset(fds[0]);
    theirs_.reset(fds[1]);
  }

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    return {options.consumer_path,
            {"--socket-fd", std::to_string(kSocketFd), "--payload", std::to_string(options.payload)},
            {{theirs_.get(), kSocketFd}},
            options.consumer_cpu};
  }

  std::function<void()> hand_over(Consumer& consumer) {
    theirs_.reset();  // only the consumer may hold its end: its death must mean
                      // end of file for us
    consumer.await_readable(ours_.get(), "READY from the consumer");
    consumer.guard([&] {
      std::byte ready[kReadyMessage.size()];
      if (read_exact(ours_.get(), ready) == ReadResult::eof)
        throw Error("handshake failed: the consumer closed the connection");
      expect_ready(ready);
    });
    // A dead consumer's end closes by itself, which completes our pending
    // receive with end of file; shutting ours down does the same for a
    // consumer that only stopped answering.
    return [fd = ours_.get()] { ::shutdown(fd, SHUT_RDWR); };
  }

  Link link() { return {ring_, ours_.get(), {}}; }

  void stop() {
    if (::shutdown(ours_.get(), SHUT_WR) != 0) throw_errno("shutdown");
  }

 private:
  uring::Ring ring_;
  UniqueFd ours_, theirs_;
};

}  // namespace

std::unique_ptr<Runner> start(const RunnerOptions& options) {
  return std::make_unique<SpawnedRunner<RingSocket>>(options);
}

std::string unavailable() { return uring::unavailable(IORING_OP_RECV, "IORING_OP_RECV", "5.6"); }

int serve(int socket_fd, std::size_t payload) {
  int type = 0;
  socklen_t length = sizeof type;
  if (::getsockopt(socket_fd, SOL_SOCKET, SO_TYPE, &type, &length) != 0 || type != SOCK_STREAM)
    throw Error(fmt::format("--socket-fd {}: not a stream socket", socket_fd));
  uring::Ring ring(4);
  write_all(socket_fd, ready_bytes());
  std::vector<std::byte> buf(payload);
  queue_recv(ring, socket_fd, buf);
  ring.submit_and_wait(1);
  if (!collect(ring, socket_fd, {}, false, buf)) return 0;
  for (;;) {
    queue_send(ring, socket_fd, buf);
    queue_recv(ring, socket_fd, buf);
    ring.submit_and_wait(2);
    if (!collect(ring, socket_fd, buf, true, buf)) return 0;  // the producer's stop: end of file
  }
}

}  // namespace ipc::transport::uring_unix

#include "ipc/transport/zmq/zmq.hpp"

#include <fmt/format.h>
#include <sys/resource.h>
#include <zmq.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "ipc/consumer.hpp"
#include "ipc/message.hpp"
#include "ipc/message_link.hpp"
#include "ipc/private_directory.hpp"
#include "ipc/protocol.hpp"
#include "ipc/spawned_runner.hpp"

namespace ipc::transport::zmq {
namespace {

// One ZeroMQ message per ping and per pong over a PAIR socket on each side;
// an empty message is the stop.  ZeroMQ keeps message boundaries, so a pong
// arrives whole or not at all, and zmq_recv() reports a message's full size
// even when it did not fit, so an oversized reply is seen as such.
//
// How the producer's wait is unblocked.  A PAIR socket does not report a
// vanished peer: the kernel closes a dead consumer's connection, the bound
// socket quietly waits for a reconnection, and zmq_recv() keeps blocking.
// ZMQ_RCVTIMEO would bound every receive, but it would see a killed
// consumer only when the timeout passed, not at once as the watchdog does,
// and it would duplicate the watchdog's clock.  Sockets are not thread-safe,
// so the watchdog thread must not touch ours; but zmq_ctx_shutdown() may be
// called from any thread, and it makes every blocking call on the context's
// sockets return ETERM at once, and every later call too.  That is the
// interrupt.  The socket is still closed and the context terminated
// afterwards, by the destructors, once the Consumer (destroyed before the
// mechanism, ipc/spawned_runner.hpp) has stopped the watchdog.

[[noreturn]] void throw_zmq(std::string_view what) {
  throw Error(fmt::format("{}: {}", what, ::zmq_strerror(::zmq_errno())));
}

// A ZeroMQ context.  Its I/O thread and reaper thread are started with the
// first socket, by the thread that creates it, and inherit that thread's CPU
// affinity: in the producer, the benchmark thread is pinned by then, so at
// placements split and same ZeroMQ's threads share the producer's CPU; the
// consumer is pinned as a whole process.
// libzmq asserts, and so aborts the whole process, when it cannot get a
// descriptor for its own use (its pollers, mailboxes, address resolution)
// instead of returning an error: refused before it can get there.  Measured
// with libzmq 4.3.4: a run succeeded with 8 free descriptors and aborted
// with 4; 10 leaves a margin.
constexpr std::size_t kZmqDescriptors = 10;

void check_free_descriptors() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return;
  std::size_t open = 0;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec))
    ++open;
  if (ec) return;  // no /proc: libzmq's own check remains
  const auto allowed = static_cast<std::size_t>(limit.rlim_cur);
  const std::size_t free = allowed > open ? allowed - open : 0;
  if (free < kZmqDescriptors)
    throw Error(fmt::format("ZeroMQ needs {} free file descriptors, {} of the {} allowed are free: raise ulimit -n "
                            "to at least {}",
                            kZmqDescriptors, free, allowed, open + kZmqDescriptors));
}

class Context {
 public:
  Context() : context_((check_free_descriptors(), ::zmq_ctx_new())) {
    if (context_ == nullptr) throw_zmq("zmq_ctx_new");
  }
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
  ~Context() {
    while (::zmq_ctx_term(context_) != 0 && ::zmq_errno() == EINTR) {
    }
  }
  [[nodiscard]] void* get() const noexcept { return context_; }

 private:
  void* context_;
};

class Socket {
 public:
  Socket(const Context& context, int type) : socket_(::zmq_socket(context.get(), type)) {
    if (socket_ == nullptr) throw_zmq("zmq_socket");
    // Drop unsent messages at close: with the default (wait forever),
    // zmq_ctx_term() would hang on a message for a dead or frozen peer.
    const int zero = 0;
    if (::zmq_setsockopt(socket_, ZMQ_LINGER, &zero, sizeof zero) != 0) {
      ::zmq_close(socket_);
      throw_zmq("zmq_setsockopt ZMQ_LINGER");
    }
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() { ::zmq_close(socket_); }
  [[nodiscard]] void* get() const noexcept { return socket_; }

 private:
  void* socket_;
};

void send(void* socket, std::span<const std::byte> message) {
  while (::zmq_send(socket, message.data(), message.size(), 0) < 0)
    if (::zmq_errno() != EINTR) throw_zmq("zmq_send");
}

// Blocks until a message arrives; returns its full size, which may exceed
// buf.size() (only buf.size() bytes are stored).
std::size_t receive(void* socket, std::span<std::byte> buf) {
  for (;;) {
    const int r = ::zmq_recv(socket, buf.data(), buf.size(), 0);
    if (r >= 0) return static_cast<std::size_t>(r);
    if (::zmq_errno() == ETERM) throw Error("no pong");  // the watchdog shut the context down
    if (::zmq_errno() != EINTR) throw_zmq("zmq_recv");
  }
}

using Link = MessageLink<void*, &zmq::send, &zmq::receive>;

enum class Kind { ipc, tcp };

// The producer's end: a context and a PAIR socket bound to a unix-domain
// socket (zmq_ipc) or to a port of 127.0.0.1 (zmq_tcp).
template <Kind kind>
class Sockets {
 public:
  explicit Sockets(const RunnerOptions& /*options*/)
      : directory_(kind == Kind::ipc ? std::optional<PrivateDirectory>(PrivateDirectory::create()) : std::nullopt),
        socket_(context_, ZMQ_PAIR),
        endpoint_(bind()) {}

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    return {options.consumer_path, {"--endpoint", endpoint_, "--payload", std::to_string(options.payload)}, {},
            options.consumer_cpu};
  }

  std::function<void()> hand_over(Consumer& consumer) {
    // ZeroMQ offers no descriptor that poll() can wait on for one message
    // (ZMQ_FD is edge-triggered), so the handshake polls without blocking.
    std::byte ready[kReadyMessage.size() + 1];
    int received = -1;
    consumer.await(
        [&] {
          received = ::zmq_recv(socket_.get(), ready, sizeof ready, ZMQ_DONTWAIT);
          if (received < 0 && ::zmq_errno() != EAGAIN && ::zmq_errno() != EINTR) throw_zmq("zmq_recv");
          return received >= 0;
        },
        "READY from the consumer");
    consumer.guard([&] { expect_ready(std::span(ready, std::min(static_cast<std::size_t>(received), sizeof ready))); });
    // READY came over the connection: the socket file has no further use,
    // and removing it now means a SIGKILL from here on leaves no name.  A
    // connected unix socket does not need its name, nor does libzmq's
    // listener (a failed unlink at close would be a monitor event, not an
    // error).  The consumer would need the name only to reconnect, which it
    // tries only once the producer is gone, when it fails either way.
    if (directory_) directory_->remove();
    // Runs on the watchdog thread: the one ZeroMQ call that is safe there.
    return [context = context_.get()] { ::zmq_ctx_shutdown(context); };
  }

  Link link() const { return {socket_.get()}; }
  void stop() { send(socket_.get(), {}); }

 private:
  // Binds to a unix-domain socket in the private directory, or to a port on
  // 127.0.0.1 that the kernel chooses ("*"); returns the endpoint as bound.
  std::string bind() {
    const std::string address = directory_ ? "ipc://" + directory_->entry("socket") : "tcp://127.0.0.1:*";
    if (::zmq_bind(socket_.get(), address.c_str()) != 0) {
      // A unix socket's path holds at most 107 bytes.
      if (directory_ && ::zmq_errno() == ENAMETOOLONG)
        throw Error(fmt::format("zmq_bind {}: path too long for a unix socket (set TMPDIR to a shorter directory)",
                                address));
      throw_zmq("zmq_bind " + address);
    }
    char endpoint[256] = {};
    std::size_t length = sizeof endpoint;
    if (::zmq_getsockopt(socket_.get(), ZMQ_LAST_ENDPOINT, endpoint, &length) != 0)
      throw_zmq("zmq_getsockopt ZMQ_LAST_ENDPOINT");
    return endpoint;
  }

  // Destroyed in reverse: the socket is closed, the context terminated (its
  // threads are gone), and only then the directory is removed with the ipc
  // socket file in it, if the hand-over did not remove it already.
  std::optional<PrivateDirectory> directory_;  // ipc only
  Context context_;
  Socket socket_;
  std::string endpoint_;
};

}  // namespace

std::unique_ptr<Runner> start_ipc(const RunnerOptions& o) { return std::make_unique<SpawnedRunner<Sockets<Kind::ipc>>>(o); }
std::unique_ptr<Runner> start_tcp(const RunnerOptions& o) { return std::make_unique<SpawnedRunner<Sockets<Kind::tcp>>>(o); }

int serve(const std::string& endpoint, std::size_t payload) {
  const Context context;
  const Socket socket(context, ZMQ_PAIR);
  if (::zmq_connect(socket.get(), endpoint.c_str()) != 0) throw_zmq("zmq_connect " + endpoint);
  send(socket.get(), ready_bytes());
  return echo_messages<&zmq::send, &zmq::receive>(socket.get(), payload);
}

}  // namespace ipc::transport::zmq

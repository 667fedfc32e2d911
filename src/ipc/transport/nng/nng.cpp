#include "ipc/transport/nng/nng.hpp"

#include <fmt/format.h>
#include <nng/nng.h>
#include <nng/protocol/pair1/pair.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "ipc/consumer.hpp"
#include "ipc/message.hpp"
#include "ipc/message_link.hpp"
#include "ipc/private_directory.hpp"
#include "ipc/protocol.hpp"
#include "ipc/spawned_runner.hpp"

namespace ipc::transport::nng {
namespace {

// One nng message per ping and per pong over a pair1 socket on each side;
// an empty message is the stop.  nng keeps message boundaries, and
// nng_recv() reports a message's full length even when it did not fit.
//
// How the producer's wait is unblocked.  pair1 does not report a vanished
// peer: the pipe goes, the socket waits for another one, and nng_recv()
// (or nng_send(), which waits for a peer to take the message) blocks on.
// NNG_OPT_RECVTIMEO would bound every receive and see a death only when it
// expired.  nng_close() is safe from any thread and makes every blocking
// call on the socket return NNG_ECLOSED at once: the watchdog calls it.
//
// nng aborts (nni_panic) on a failed pthread lock, wait or join, which
// only a broken invariant causes, and in a process that forked after
// initializing it and then calls it again: our consumers fork, but the
// children exec at once and never call nng.  A failed thread creation or
// allocation comes back as NNG_ENOMEM, an exhausted descriptor table as a
// system error, both turned into one line.  A peer announcing a huge
// message would make nng allocate it: NNG_OPT_RECVMAXSZ caps what either
// side accepts.

[[noreturn]] void throw_nng(std::string_view what, int rv) {
  throw Error(fmt::format("{}: {}", what, ::nng_strerror(rv)));
}

// nng starts its threads (task queues, the poller, the reaper) and opens its
// poller's descriptors at the first socket, process-wide, and keeps them
// until nng_fini(), which also closes every socket.  Each user holds a
// Library; the last one out calls nng_fini(), so that a finished run leaves
// no thread or descriptor behind.  The threads inherit the CPU affinity of
// the thread that opens the first socket: in the producer the benchmark
// thread, pinned by then, as with ZeroMQ.
class Library {
 public:
  Library() {
    const std::lock_guard lock(mutex_);
    ++users_;
  }
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;
  ~Library() {
    const std::lock_guard lock(mutex_);
    if (--users_ == 0) ::nng_fini();
  }

 private:
  static inline std::mutex mutex_;
  static inline int users_ = 0;
};

class Socket {
 public:
  // `max_message`: the largest message this socket accepts (bytes).
  explicit Socket(std::size_t max_message) {
    if (const int rv = ::nng_pair1_open(&socket_); rv != 0) throw_nng("nng_pair1_open", rv);
    if (const int rv = ::nng_socket_set_size(socket_, NNG_OPT_RECVMAXSZ, max_message); rv != 0) {
      ::nng_close(socket_);
      throw_nng("nng_socket_set_size NNG_OPT_RECVMAXSZ", rv);
    }
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() { close(); }

  [[nodiscard]] nng_socket get() const noexcept { return socket_; }
  // Safe from any thread (the watchdog's) and more than once: the flag keeps
  // a second nng_close() from looking up an id that may by then be reused.
  void close() noexcept {
    if (!closed_.exchange(true)) ::nng_close(socket_);
  }

 private:
  nng_socket socket_ = NNG_SOCKET_INITIALIZER;
  std::atomic<bool> closed_{false};
};

// READY is 6 bytes and the stop is empty.  NNG_OPT_RECVMAXSZ counts the
// message as it travels, with the protocol's header (pair1's 4-byte hop
// count) in front: the headroom covers it.
constexpr std::size_t kHeaderRoom = 64;
std::size_t max_message(std::size_t payload) { return std::max(payload, kReadyMessage.size()) + kHeaderRoom; }

void send(nng_socket socket, std::span<const std::byte> message) {
  // nng_send() copies the bytes into a message of its own; it does not write
  // through the pointer.
  void* data = const_cast<std::byte*>(message.data());
  if (const int rv = ::nng_send(socket, data, message.size(), 0); rv != 0) {
    if (rv == NNG_ECLOSED) throw Error("no pong (the socket was closed)");
    throw_nng("nng_send", rv);
  }
}

// Blocks until a message arrives; returns its full size, which may exceed
// buf.size() (only buf.size() bytes are stored).
std::size_t receive(nng_socket socket, std::span<std::byte> buf) {
  std::size_t size = buf.size();
  if (const int rv = ::nng_recv(socket, buf.data(), &size, 0); rv != 0) {
    if (rv == NNG_ECLOSED) throw Error("no pong");  // the watchdog closed the socket
    throw_nng("nng_recv", rv);
  }
  return size;
}

using Link = MessageLink<nng_socket, &nng::send, &nng::receive>;

enum class Kind { ipc, tcp };

// The producer's end: a pair1 socket listening on a unix-domain socket
// (nng_ipc) or on a port of 127.0.0.1 (nng_tcp).
template <Kind kind>
class Sockets {
 public:
  explicit Sockets(const RunnerOptions& options)
      : directory_(kind == Kind::ipc ? std::optional<PrivateDirectory>(PrivateDirectory::create()) : std::nullopt),
        socket_(max_message(options.payload)),
        url_(listen()) {}

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    return {
        options.consumer_path, {"--url", url_, "--payload", std::to_string(options.payload)}, {}, options.consumer_cpu};
  }

  std::function<void()> hand_over(Consumer& consumer) {
    // nng's pollable receive descriptor (NNG_OPT_RECVFD), once asked for,
    // is signalled on every message for the rest of the run: a system call
    // per pong that the benchmark would time.  So the handshake polls.
    nng_msg* ready = nullptr;
    consumer.await(
        [&] {
          const int rv = ::nng_recvmsg(socket_.get(), &ready, NNG_FLAG_NONBLOCK);
          if (rv != 0 && rv != NNG_EAGAIN) throw_nng("nng_recvmsg", rv);
          return rv == 0;
        },
        "READY from the consumer");
    const std::unique_ptr<nng_msg, void (*)(nng_msg*)> owned(ready, ::nng_msg_free);
    consumer.guard([&] {
      if constexpr (kind == Kind::ipc) {
        // Only this user can reach the directory; the pid makes it the
        // consumer.
        std::uint64_t pid = 0;
        if (const int rv = ::nng_pipe_get_uint64(::nng_msg_get_pipe(ready), NNG_OPT_IPC_PEER_PID, &pid); rv != 0)
          throw_nng("nng_pipe_get_uint64 NNG_OPT_IPC_PEER_PID", rv);
        if (pid != static_cast<std::uint64_t>(consumer.pid()))
          throw Error(fmt::format("process {}, not the consumer ({}), connected to {}", pid, consumer.pid(), url_));
      }
      expect_ready(std::span(static_cast<const std::byte*>(::nng_msg_body(ready)), ::nng_msg_len(ready)));
    });
    // Connected: the socket file has no further use.  (pair1 takes one peer
    // at a time, and closing the listener would close the connection too.)
    if (directory_) directory_->remove();
    // Runs on the watchdog thread: see the comment at the top.  socket_ is
    // the mechanism's, whose address does not change.
    return [&socket = socket_] { socket.close(); };
  }

  Link link() const { return {socket_.get()}; }
  void stop() { send(socket_.get(), {}); }

 private:
  // Listens on a unix-domain socket in the private directory, or on a port
  // of 127.0.0.1 that the kernel chooses (port 0); returns the URL to dial.
  std::string listen() {
    const std::string url = directory_ ? "ipc://" + directory_->entry("socket") : "tcp://127.0.0.1:0";
    nng_listener listener = NNG_LISTENER_INITIALIZER;
    if (const int rv = ::nng_listen(socket_.get(), url.c_str(), &listener, 0); rv != 0) {
      if (directory_ && rv == NNG_EADDRINVAL)
        throw Error(
            fmt::format("nng_listen {}: {} (a unix socket's path holds "
                        "at most 107 bytes: set TMPDIR to a "
                        "shorter directory)",
                        url, ::nng_strerror(rv)));
      throw_nng("nng_listen " + url, rv);
    }
    if (directory_) return url;
    int port = 0;
    if (const int rv = ::nng_listener_get_int(listener, NNG_OPT_TCP_BOUND_PORT, &port); rv != 0)
      throw_nng("nng_listener_get_int NNG_OPT_TCP_BOUND_PORT", rv);
    return fmt::format("tcp://127.0.0.1:{}", port);
  }

  // Destroyed in reverse: the socket is closed, nng finalized (its threads
  // are gone), and only then the directory is removed.
  std::optional<PrivateDirectory> directory_;  // ipc only
  Library library_;
  Socket socket_;
  std::string url_;
};

}  // namespace

std::unique_ptr<Runner> start_ipc(const RunnerOptions& o) { return std::make_unique<SpawnedRunner<Sockets<Kind::ipc>>>(o); }
std::unique_ptr<Runner> start_tcp(const RunnerOptions& o) { return std::make_unique<SpawnedRunner<Sockets<Kind::tcp>>>(o); }

int serve(const std::string& url, std::size_t payload) {
  const Library library;
  const Socket socket(max_message(payload));
  if (const int rv = ::nng_dial(socket.get(), url.c_str(), nullptr, 0); rv != 0) throw_nng("nng_dial " + url, rv);
  send(socket.get(), ready_bytes());
  return echo_messages<&nng::send, &nng::receive>(socket.get(), payload);
}

}  // namespace ipc::transport::nng

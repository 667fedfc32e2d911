#include "ipc/transport/unix_socket/unix_socket.hpp"

#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "ipc/consumer.hpp"
#include "ipc/datagram.hpp"
#include "ipc/fanout_runner.hpp"
#include "ipc/io.hpp"
#include "ipc/message.hpp"
#include "ipc/private_directory.hpp"
#include "ipc/protocol.hpp"
#include "ipc/spawned_runner.hpp"
#include "ipc/unique_fd.hpp"

namespace ipc::transport::unix_socket {
namespace {

// unix_dgram_sendmsg (which also sends seqpacket messages) refuses a message
// longer than the sender's SO_SNDBUF less this many bytes, with EMSGSIZE.
constexpr std::size_t kSendBufferReserve = 32;

int socket_type(Type type) noexcept {
  switch (type) {
    case Type::stream: return SOCK_STREAM;
    case Type::dgram: return SOCK_DGRAM;
    case Type::seqpacket: return SOCK_SEQPACKET;
  }
  return SOCK_STREAM;
}

sockaddr_un address_of(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) {
    throw Error(fmt::format("socket path {} is longer than the {} bytes a Unix socket address holds (set TMPDIR to a "
                            "shorter directory)",
                            path, sizeof address.sun_path - 1));
  }
  path.copy(address.sun_path, path.size());
  return address;
}

UniqueFd make_socket(Type type) {
  UniqueFd fd(::socket(AF_UNIX, socket_type(type) | SOCK_CLOEXEC, 0));
  if (!fd) throw_errno("socket");
  return fd;
}

int get_int_option(int fd, int level, int name, const char* what) {
  int value = 0;
  socklen_t length = sizeof value;
  if (::getsockopt(fd, level, name, &value, &length) != 0) throw_errno(std::string("getsockopt ") + what);
  return value;
}

void set_int_option(int fd, int level, int name, int value, const char* what) {
  if (::setsockopt(fd, level, name, &value, sizeof value) != 0) throw_errno(std::string("setsockopt ") + what);
}

// A datagram or seqpacket message travels whole, so it must fit in the
// sender's send buffer (kSendBufferReserve above).  The default buffer,
// net.core.wmem_default (212992 bytes unless changed), holds kMaxMessage; we
// ask for more only where it is smaller, so that a run on a default system
// measures the default socket.  The kernel doubles what is asked for, up to
// net.core.wmem_max.  The receive side needs nothing: a Unix datagram is
// charged to its sender, and the receiver only limits the queue's length
// (net.unix.max_dgram_qlen), of which a ping-pong uses one slot.
void ensure_send_buffer(int fd, std::size_t payload) {
  const std::size_t needed = payload + kSendBufferReserve;
  if (static_cast<std::size_t>(get_int_option(fd, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF")) >= needed) return;
  set_int_option(fd, SOL_SOCKET, SO_SNDBUF, static_cast<int>(needed), "SO_SNDBUF");
  const int got = get_int_option(fd, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF");
  if (static_cast<std::size_t>(got) < needed) {
    throw Error(fmt::format("a {}-byte message does not fit in the socket send buffer this system allows ({} bytes; "
                            "raise net.core.wmem_max)",
                            payload, got));
  }
}

pid_t peer_pid(int fd) {
  ucred credentials{};
  socklen_t length = sizeof credentials;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) throw_errno("getsockopt SO_PEERCRED");
  return credentials.pid;
}

// The producer's end: the socket of type T, its file in a private directory.
template <Type T>
class Socket {
 public:
  explicit Socket(const RunnerOptions& options)
      : directory_(PrivateDirectory::create()),
        path_(directory_.entry("socket")),
        socket_(bound_socket(path_, options.payload)),
        payload_(options.payload) {}

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    return {options.consumer_path,
            {"--socket", path_, "--type", std::string(to_string(T)), "--payload", std::to_string(options.payload)},
            {},
            options.consumer_cpu};
  }

  std::function<void()> hand_over(Consumer& consumer) {
    if constexpr (T == Type::dgram) {
      accept_datagrams(consumer);
    } else {
      accept_connection(consumer);
    }
    directory_.remove();  // both ends are connected: the name has no further use
    // A dead consumer closes its end, which ends a stream or seqpacket
    // connection by itself, but not a datagram socket's wait; shutting ours
    // down wakes either, and also covers a consumer that only stopped
    // answering.
    return [fd = socket_.get()] { ::shutdown(fd, SHUT_RDWR); };
  }

  auto link() const {
    if constexpr (T == Type::stream) {
      return StreamLink{socket_.get(), socket_.get(), "the consumer closed the connection"};
    } else {
      return DatagramLink{socket_.get(), T == Type::dgram ? "no pong" : "the consumer closed the connection"};
    }
  }

  // dgram: an empty datagram; stream, seqpacket: the end of the connection.
  void stop() {
    if constexpr (T == Type::dgram) {
      send_message(socket_.get(), {});
    } else if (::shutdown(socket_.get(), SHUT_WR) != 0) {
      throw_errno("shutdown");
    }
  }

 private:
  static UniqueFd bound_socket(const std::string& path, std::size_t payload) {
    UniqueFd fd = make_socket(T);
    const sockaddr_un address = address_of(path);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
      throw_errno("bind " + path);
    if constexpr (T == Type::dgram) {
      ensure_send_buffer(fd.get(), payload);
      // Every datagram then carries its sender's pid: READY must come from
      // the consumer.
      set_int_option(fd.get(), SOL_SOCKET, SO_PASSCRED, 1, "SO_PASSCRED");
    } else if (::listen(fd.get(), 1) != 0) {
      throw_errno("listen");
    }
    return fd;
  }

  void check_sender(pid_t pid, const Consumer& consumer) const {
    if (pid != consumer.pid())
      throw Error(fmt::format("process {}, not the consumer ({}), connected to {}", pid, consumer.pid(), path_));
  }

  // stream, seqpacket: accept the consumer's connection, then read READY.
  void accept_connection(Consumer& consumer) {
    consumer.await_readable(socket_.get(), "the consumer to connect");
    UniqueFd connection(::accept4(socket_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!connection) throw_errno("accept");
    // Only this user can reach the directory; the pid makes it the consumer.
    check_sender(peer_pid(connection.get()), consumer);
    socket_ = std::move(connection);  // closes the listener
    if constexpr (T == Type::seqpacket) ensure_send_buffer(socket_.get(), payload_);
    consumer.await_readable(socket_.get(), "READY from the consumer");
    consumer.guard([&] {
      if constexpr (T == Type::stream) {
        std::byte ready[kReadyMessage.size()];
        if (read_exact(socket_.get(), ready) == ReadResult::eof)
          throw Error("handshake failed: the consumer closed the connection");
        expect_ready(ready);
      } else {
        std::byte ready[kReadyMessage.size() + 1];
        const std::size_t received = receive_message(socket_.get(), ready);
        if (received == 0) throw Error("handshake failed: the consumer closed the connection");
        expect_ready(std::span(ready, std::min(received, sizeof ready)));
      }
    });
  }

  // dgram: READY comes from the consumer's socket; connect ours to it, so
  // that from then on the kernel refuses datagrams from anyone else.
  void accept_datagrams(Consumer& consumer) {
    const int fd = socket_.get();
    consumer.await_readable(fd, "READY from the consumer");
    std::byte ready[kReadyMessage.size() + 1];
    iovec iov{ready, sizeof ready};
    sockaddr_un peer{};
    alignas(cmsghdr) std::byte control[CMSG_SPACE(sizeof(ucred))];
    msghdr msg{};
    msg.msg_name = &peer;
    msg.msg_namelen = sizeof peer;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t r;
    do {
      r = ::recvmsg(fd, &msg, MSG_TRUNC | MSG_CMSG_CLOEXEC);
    } while (r < 0 && errno == EINTR);
    if (r < 0) throw_errno("recvmsg");
    pid_t sender = 0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
        ucred credentials{};
        std::memcpy(&credentials, CMSG_DATA(c), sizeof credentials);
        sender = credentials.pid;
      }
    }
    check_sender(sender, consumer);
    consumer.guard([&] { expect_ready(std::span(ready, std::min(static_cast<std::size_t>(r), sizeof ready))); });
    if (msg.msg_namelen <= offsetof(sockaddr_un, sun_path))
      throw Error("handshake failed: the consumer's socket has no address to answer to (it must bind one)");
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&peer), msg.msg_namelen) != 0)
      throw_errno("connect to the consumer's socket");
    // Credentials were for the handshake only: pongs travel without them.
    set_int_option(fd, SOL_SOCKET, SO_PASSCRED, 0, "SO_PASSCRED");
  }

  PrivateDirectory directory_;
  std::string path_;
  UniqueFd socket_;  // the listener (stream, seqpacket) until the consumer connects, then the connection
  std::size_t payload_;  // N, the size of every message: seqpacket's send buffer must hold one
};

}  // namespace

std::optional<Type> parse_type(std::string_view text) noexcept {
  if (text == "stream") return Type::stream;
  if (text == "dgram") return Type::dgram;
  if (text == "seqpacket") return Type::seqpacket;
  return std::nullopt;
}

std::string_view to_string(Type type) noexcept {
  switch (type) {
    case Type::stream: return "stream";
    case Type::dgram: return "dgram";
    case Type::seqpacket: return "seqpacket";
  }
  return "unknown";
}

std::unique_ptr<Runner> start_stream(const RunnerOptions& options) {
  return std::make_unique<SpawnedRunner<Socket<Type::stream>>>(options);
}

std::unique_ptr<Runner> start_dgram(const RunnerOptions& options) {
  return std::make_unique<SpawnedRunner<Socket<Type::dgram>>>(options);
}

std::unique_ptr<Runner> start_seqpacket(const RunnerOptions& options) {
  return std::make_unique<SpawnedRunner<Socket<Type::seqpacket>>>(options);
}

std::unique_ptr<Fanout> start_dgram_fanout(const FanoutOptions& options) {
  return std::make_unique<FanoutRunner<Socket<Type::dgram>>>(options);
}

namespace {

// The consumer's socket, connected to the producer's at `path`.
UniqueFd connected_socket(const std::string& path, Type type, std::size_t payload) {
  UniqueFd fd = make_socket(type);
  if (type != Type::stream) ensure_send_buffer(fd.get(), payload);
  if (type == Type::dgram) {
    // An address the producer can answer to: the kernel picks a unique one
    // in the abstract namespace ("autobind").  Once connected to the
    // producer's socket, ours takes datagrams from nobody else.
    sockaddr_un self{};
    self.sun_family = AF_UNIX;
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&self), sizeof self.sun_family) != 0) throw_errno("bind");
  }
  const sockaddr_un address = address_of(path);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
    throw_errno("connect to " + path);
  return fd;
}

}  // namespace

int serve_stamped_dgram(const std::string& path, std::size_t payload) {
  if (payload < kFanoutMinPayload)
    throw Error(fmt::format("--stamp needs a payload of at least {} bytes, got {}", kFanoutMinPayload, payload));
  // Chosen and calibrated before READY, as the producer's was: the same clock.
  const TickClock& clock = TickClock::instance();
  const UniqueFd fd = connected_socket(path, Type::dgram, payload);
  send_message(fd.get(), ready_bytes());
  echo_stamped_messages(fd.get(), payload, clock);
  return 0;
}

int serve(const std::string& path, Type type, std::size_t payload) {
  UniqueFd fd = connected_socket(path, type, payload);
  if (type == Type::stream) {
    write_all(fd.get(), ready_bytes());
    echo_stream(fd.get(), fd.get(), payload);
    return 0;
  }
  send_message(fd.get(), ready_bytes());
  // Ends at an empty message: dgram's stop datagram, or seqpacket's end of connection.
  echo_messages(fd.get(), payload);
  return 0;
}

}  // namespace ipc::transport::unix_socket

// tcp_nodelay and tcp_nagle on Windows: one loopback Winsock connection.
#include <fmt/format.h>

#include "ipc/consumer.hpp"
#include "ipc/message.hpp"
#include "ipc/protocol.hpp"
#include "ipc/spawned_runner.hpp"
#include "ipc/windows/error.hpp"
#include "ipc/transport/tcp/windows.hpp"
#include "socket.hpp"

namespace ipc::transport::tcp {
using namespace ipc::windows;  // the Winsock helpers (windows/socket.hpp)

namespace {

// The producer's end: a listener until the consumer connects, then the
// connection.  Nodelay: TCP_NODELAY on both ends (tcp_nodelay), or Nagle
// left on (tcp_nagle).
template <bool Nodelay>
class Connection {
 public:
  explicit Connection(const RunnerOptions&) : listener_(listening_socket()) {}

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    std::vector<std::string> args{"--port", std::to_string(local_port(listener_.get())), "--payload",
                                  std::to_string(options.payload)};
    if (Nodelay) args.emplace_back("--nodelay");
    return {options.consumer_path, std::move(args), {}, options.consumer_cpu};
  }

  std::function<void()> hand_over(Consumer& consumer) {
    consumer.await([&] { return readable(listener_.get()); }, "the consumer to connect");
    connection_.reset(::accept(listener_.get(), nullptr, nullptr));
    if (connection_.get() == INVALID_SOCKET) throw_socket_error("accept");
    listener_.reset();
    if (Nodelay) set_nodelay(connection_.get());
    consumer.await([&] { return readable(connection_.get()); }, "READY from the consumer");
    std::byte ready[kReadyMessage.size()];
    consumer.guard([&] {
      if (recv_exact(connection_.get(), ready) == RecvResult::eof)
        throw Error("handshake failed: the consumer closed the connection");
      expect_ready(ready);
    });
    // A dead consumer's socket is closed by the system and our recv sees the
    // end of the stream or a reset, on Windows; under wine the wait was seen
    // to outlive the consumer.  Closing our socket ends the wait in every
    // case (closesocket cancels the blocking calls in progress on it); the
    // loop then fails on a closed socket, and nothing here makes a socket
    // that could reuse the value before the runner is gone.
    return [this] { ::closesocket(connection_.release()); };
  }

  StreamSocketLink link() const { return {connection_.get()}; }

  void stop() {
    if (::shutdown(connection_.get(), SD_SEND) != 0) throw_socket_error("shutdown");
  }

 private:
  static UniqueSocket listening_socket() {
    UniqueSocket s = loopback_socket(SOCK_STREAM);
    if (::listen(s.get(), 1) != 0) throw_socket_error("listen");
    return s;
  }

  UniqueSocket listener_, connection_;
};

}  // namespace

std::unique_ptr<Runner> start_nodelay(const RunnerOptions& options) {
  return std::make_unique<SpawnedRunner<Connection<true>>>(options);
}

std::unique_ptr<Runner> start_nagle(const RunnerOptions& options) {
  return std::make_unique<SpawnedRunner<Connection<false>>>(options);
}

int serve(std::uint16_t port, std::size_t payload, bool nodelay) {
  ensure_winsock();
  UniqueSocket s(::WSASocketW(AF_INET, SOCK_STREAM, 0, nullptr, 0, WSA_FLAG_NO_HANDLE_INHERIT));
  if (s.get() == INVALID_SOCKET) throw_socket_error("socket");
  connect_loopback(s.get(), port);
  if (nodelay) set_nodelay(s.get());
  send_all(s.get(), ready_bytes());
  std::vector<std::byte> buffer(payload);
  while (recv_exact(s.get(), buffer) == RecvResult::complete) send_all(s.get(), buffer);
  return 0;
}

}  // namespace ipc::transport::tcp

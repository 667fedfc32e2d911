// tcp_nodelay and tcp_nagle on Windows: one loopback Winsock connection.
#include <fmt/format.h>

#include "ipc/consumer.hpp"
#include "ipc/message.hpp"
#include "ipc/protocol.hpp"
#include "ipc/windows/error.hpp"
#include "ipc/transport/tcp/windows.hpp"
#include "socket.hpp"

namespace ipc::transport::tcp {
using namespace ipc::windows;  // the Winsock helpers (windows/socket.hpp)

namespace {

class TcpRunner final : public Runner {
 public:
  TcpRunner(const RunnerOptions& options, bool nodelay)
      : listener_(listening_socket()),
        message_(options.payload, options.check),
        consumer_(spawn_options(options, nodelay), options.timeout) {
    consumer_.await([&] { return readable(listener_.get()); }, "the consumer to connect");
    connection_.reset(::accept(listener_.get(), nullptr, nullptr));
    if (connection_.get() == INVALID_SOCKET) throw_socket_error("accept");
    listener_.reset();
    if (nodelay) set_nodelay(connection_.get());
    consumer_.await([&] { return readable(connection_.get()); }, "READY from the consumer");
    std::byte ready[kReadyMessage.size()];
    consumer_.guard([&] {
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
    consumer_.arm([this] { ::closesocket(connection_.release()); });
  }

  void run(Batch& batch) override {
    StreamSocketLink link{connection_.get()};
    consumer_.run(link, message_, seq_, batch);
  }

  void finish() override {
    consumer_.finish([&] {
      if (::shutdown(connection_.get(), SD_SEND) != 0) throw_socket_error("shutdown");
    });
  }

  [[nodiscard]] pid_t consumer_pid() const noexcept override { return consumer_.pid(); }

 private:
  static UniqueSocket listening_socket() {
    UniqueSocket s = loopback_socket(SOCK_STREAM);
    if (::listen(s.get(), 1) != 0) throw_socket_error("listen");
    return s;
  }

  SpawnOptions spawn_options(const RunnerOptions& options, bool nodelay) const {
    std::vector<std::string> args{"--port", std::to_string(local_port(listener_.get())), "--payload",
                                  std::to_string(options.payload)};
    if (nodelay) args.emplace_back("--nodelay");
    return {options.consumer_path, std::move(args), {}, options.consumer_cpu};
  }

  UniqueSocket listener_, connection_;
  Message message_;
  std::uint64_t seq_ = 0;
  Consumer consumer_;  // last: stopped and reaped before the sockets close
};

}  // namespace

std::unique_ptr<Runner> start_nodelay(const RunnerOptions& options) {
  return std::make_unique<TcpRunner>(options, true);
}

std::unique_ptr<Runner> start_nagle(const RunnerOptions& options) {
  return std::make_unique<TcpRunner>(options, false);
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

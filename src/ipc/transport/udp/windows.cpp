// udp on Windows: two connected loopback datagram sockets.
#include <fmt/format.h>

#include "ipc/consumer.hpp"
#include "ipc/message.hpp"
#include "ipc/protocol.hpp"
#include "ipc/spawned_runner.hpp"
#include "ipc/windows/error.hpp"
#include "ipc/transport/udp/windows.hpp"
#include "socket.hpp"

namespace ipc::transport::udp {
using namespace ipc::windows;  // the Winsock helpers (windows/socket.hpp)

namespace {

// The producer's end: one datagram socket, connected to the consumer's once
// its READY arrives.
class Socket {
 public:
  explicit Socket(const RunnerOptions&) : socket_(loopback_socket(SOCK_DGRAM)) {}

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    return {options.consumer_path,
            {"--port", std::to_string(local_port(socket_.get())), "--payload", std::to_string(options.payload)},
            {},
            options.consumer_cpu};
  }

  std::function<void()> hand_over(Consumer& consumer) {
    consumer.await([&] { return readable(socket_.get()); }, "READY from the consumer");
    consumer.guard([&] {
      std::byte ready[kReadyMessage.size() + 1];
      sockaddr_in from{};
      int length = sizeof from;
      const int got = ::recvfrom(socket_.get(), reinterpret_cast<char*>(ready), sizeof ready, 0,
                                 reinterpret_cast<sockaddr*>(&from), &length);
      if (got == SOCKET_ERROR) throw_socket_error("recvfrom");
      expect_ready(std::span(ready, static_cast<std::size_t>(got)));
      connect_loopback(socket_.get(), ntohs(from.sin_port));
    });
    // A datagram socket does not learn of its peer's death while it waits.
    // Closing it ends the wait (closesocket cancels the blocking calls in
    // progress on it); the loop then fails on a closed socket, and nothing
    // here makes a socket that could reuse the value before the runner is gone.
    return [this] { ::closesocket(socket_.release()); };
  }

  DatagramSocketLink link() const { return {socket_.get()}; }

  void stop() {
    if (::send(socket_.get(), nullptr, 0, 0) != 0) throw_socket_error("send the stop datagram");
  }

 private:
  UniqueSocket socket_;
};

}  // namespace

std::unique_ptr<Runner> start(const RunnerOptions& options) { return std::make_unique<SpawnedRunner<Socket>>(options); }

int serve(std::uint16_t port, std::size_t payload) {
  UniqueSocket s = loopback_socket(SOCK_DGRAM);
  connect_loopback(s.get(), port);
  if (::send(s.get(), reinterpret_cast<const char*>(ready_bytes().data()), static_cast<int>(kReadyMessage.size()),
             0) == SOCKET_ERROR)
    throw_socket_error("send READY");
  std::vector<std::byte> buffer(payload + 1);
  for (;;) {
    const int got = ::recv(s.get(), reinterpret_cast<char*>(buffer.data()), static_cast<int>(buffer.size()), 0);
    if (got == SOCKET_ERROR) throw_socket_error("recv");
    if (got == 0) return 0;  // the stop
    if (static_cast<std::size_t>(got) != payload)
      throw Error(fmt::format("ping of {} bytes, expected {}", got, payload));
    if (::send(s.get(), reinterpret_cast<const char*>(buffer.data()), got, 0) != got) throw_socket_error("send");
  }
}

}  // namespace ipc::transport::udp

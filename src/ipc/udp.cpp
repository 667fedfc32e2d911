#include "ipc/transport/udp.hpp"

#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "ipc/consumer.hpp"
#include "ipc/inet.hpp"
#include "ipc/message.hpp"
#include "ipc/protocol.hpp"

namespace ipc::udp_transport {
namespace {

// recv() that returns a datagram's full length even when it did not fit
// (MSG_TRUNC), so an oversized reply is seen as such.
std::size_t receive(int fd, std::span<std::byte> buf) {
  for (;;) {
    const ssize_t r = ::recv(fd, buf.data(), buf.size(), MSG_TRUNC);
    if (r >= 0) return static_cast<std::size_t>(r);
    if (errno != EINTR) throw_errno("recv");
  }
}

void send_datagram(int fd, std::span<const std::byte> buf) {
  ssize_t r;
  do {
    r = ::send(fd, buf.data(), buf.size(), 0);
  } while (r < 0 && errno == EINTR);
  if (r < 0) throw_errno("send");
  if (static_cast<std::size_t>(r) != buf.size()) throw Error("send: datagram truncated");
}

class UdpRunner final : public Runner {
 public:
  explicit UdpRunner(const RunnerOptions& options)
      : socket_(bind_loopback(SOCK_DGRAM)),
        message_(options.payload),
        consumer_(spawn_options(options), options.timeout) {
    // Connected: from now on the kernel drops datagrams from anyone else.
    connect_to(socket_.get(), await_ready());
    // A dead consumer sends nothing: shutting the socket down wakes our recv.
    consumer_.arm([fd = socket_.get()] { ::shutdown(fd, SHUT_RDWR); });
  }

  void round_trips(std::uint64_t count) override {
    consumer_.timed([&] {
      const int fd = socket_.get();
      for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint64_t seq = ++seq_;
        message_.stamp(seq);
        send_datagram(fd, message_.ping());
        const std::size_t received = receive(fd, message_.pong());
        if (received == 0) [[unlikely]]
          throw Error("no pong");
        message_.verify(message_.pong(), received);
        consumer_.progress(seq);
      }
    });
  }

  void finish() override {
    consumer_.finish([&] { send_datagram(socket_.get(), {}); });
  }

  [[nodiscard]] pid_t consumer_pid() const noexcept override { return consumer_.pid(); }

 private:
  // The address of the first datagram that is exactly READY from loopback.
  // Until we connect, anyone on this machine can send to our port: a stray
  // datagram is skipped, not taken for the consumer (within a bound, so a
  // flood cannot keep the handshake going for ever).
  sockaddr_in await_ready() {
    for (int stray = 0; stray < 1000; ++stray) {
      consumer_.await_readable(socket_.get(), "READY from the consumer");
      std::byte ready[kReadyMessage.size() + 1];
      sockaddr_in peer{};
      socklen_t peer_length = sizeof peer;
      const ssize_t r = ::recvfrom(socket_.get(), ready, sizeof ready, MSG_TRUNC, reinterpret_cast<sockaddr*>(&peer),
                                   &peer_length);
      if (r < 0) throw_errno("recvfrom");
      const auto received = std::span(ready, std::min(static_cast<std::size_t>(r), sizeof ready));
      if (peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && static_cast<std::size_t>(r) == kReadyMessage.size() &&
          std::ranges::equal(received, ready_bytes()))
        return peer;
    }
    consumer_.guard([] { throw Error("handshake failed: 1000 datagrams arrived, none of them READY"); });
    return {};
  }

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    return {options.consumer_path,
            {"--connect", fmt::format("127.0.0.1:{}", local_port(socket_.get())), "--payload",
             std::to_string(options.payload)},
            {},
            options.consumer_cpu};
  }

  UniqueFd socket_;
  Message message_;
  std::uint64_t seq_ = 0;
  Consumer consumer_;  // last: stopped and reaped before the socket closes
};

}  // namespace

std::unique_ptr<Runner> start(const RunnerOptions& options) { return std::make_unique<UdpRunner>(options); }

int serve(std::string_view endpoint, std::size_t payload) {
  UniqueFd fd = bind_loopback(SOCK_DGRAM);
  connect_to(fd.get(), parse_endpoint(endpoint));
  send_datagram(fd.get(), ready_bytes());
  std::vector<std::byte> buf(payload);
  for (;;) {
    const std::size_t received = receive(fd.get(), buf);
    if (received == 0) return 0;
    send_datagram(fd.get(), std::span(buf).first(std::min(received, buf.size())));
  }
}

}  // namespace ipc::udp_transport

#include "ipc/transport/tcp.hpp"

#include <fmt/format.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <string>
#include <vector>

#include "ipc/consumer.hpp"
#include "ipc/inet.hpp"
#include "ipc/io.hpp"
#include "ipc/message.hpp"
#include "ipc/protocol.hpp"

namespace ipc::tcp_transport {
namespace {

void set_nodelay(int fd) {
  const int one = 1;
  if (::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) throw_errno("setsockopt TCP_NODELAY");
}

UniqueFd listening_socket() {
  UniqueFd fd = bind_loopback(SOCK_STREAM);
  if (::listen(fd.get(), 1) != 0) throw_errno("listen");
  return fd;
}

class TcpRunner final : public Runner {
 public:
  TcpRunner(const RunnerOptions& options, bool nodelay)
      : listener_(listening_socket()),
        message_(options.payload),
        consumer_(spawn_options(options, nodelay), options.timeout) {
    consumer_.await_readable(listener_.get(), "the consumer to connect");
    connection_.reset(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!connection_) throw_errno("accept");
    listener_.reset();
    if (nodelay) set_nodelay(connection_.get());
    consumer_.await_readable(connection_.get(), "READY from the consumer");
    std::byte ready[kReadyMessage.size()];
    consumer_.guard([&] {
      if (read_exact(connection_.get(), ready) == ReadResult::eof)
        throw Error("handshake failed: the consumer closed the connection");
      expect_ready(ready);
    });
    // A dead consumer's connection is closed by its kernel; shutting ours
    // down as well covers a consumer that only stopped answering.
    consumer_.arm([fd = connection_.get()] { ::shutdown(fd, SHUT_RDWR); });
  }

  void round_trips(std::uint64_t count) override {
    consumer_.timed([&] {
      const int fd = connection_.get();
      for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint64_t seq = ++seq_;
        message_.stamp(seq);
        write_all(fd, message_.ping());
        if (read_exact(fd, message_.pong()) == ReadResult::eof) [[unlikely]]
          throw Error("the consumer closed the connection");
        message_.verify();
        consumer_.progress(seq);
      }
    });
  }

  void finish() override {
    consumer_.finish([&] {
      if (::shutdown(connection_.get(), SHUT_WR) != 0) throw_errno("shutdown");
    });
  }

  [[nodiscard]] pid_t consumer_pid() const noexcept override { return consumer_.pid(); }

 private:
  SpawnOptions spawn_options(const RunnerOptions& options, bool nodelay) const {
    SpawnOptions spawn{options.consumer_path,
                       {"--connect", fmt::format("127.0.0.1:{}", local_port(listener_.get())), "--payload",
                        std::to_string(options.payload)},
                       {},
                       options.consumer_cpu};
    if (nodelay) spawn.args.emplace_back("--nodelay");
    return spawn;
  }

  UniqueFd listener_;
  UniqueFd connection_;
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

int serve(std::string_view endpoint, std::size_t payload, bool nodelay) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) throw_errno("socket");
  connect_to(fd.get(), parse_endpoint(endpoint));
  if (nodelay) set_nodelay(fd.get());
  write_all(fd.get(), ready_bytes());
  std::vector<std::byte> buf(payload);
  while (read_exact(fd.get(), buf) == ReadResult::complete) write_all(fd.get(), buf);
  return 0;
}

}  // namespace ipc::tcp_transport

// grpc_unix and grpc_tcp: gRPC's synchronous unary call, the producer the
// client and the consumer the server (echo.proto).
#include "ipc/transport/grpc/grpc.hpp"

#include <fmt/format.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <string_view>

#include "echo.grpc.pb.h"
#include "ipc/consumer.hpp"
#include "ipc/io.hpp"
#include "ipc/message.hpp"
#include "ipc/private_directory.hpp"
#include "ipc/protocol.hpp"
#include "ipc/spawned_runner.hpp"
#include "ipc/unique_fd.hpp"

namespace ipc::transport::grpc {
namespace {

// What the consumer writes to its READY descriptor before READY over TCP,
// the port its server listens on: gRPC picks it (127.0.0.1:0) and says which.
constexpr std::string_view kPortPrefix = "PORT ";
// The longest READY line: "PORT 65535\n" and READY.
constexpr std::size_t kLongestReadyLine = 32;

// Unlimited both ways, on both ends: gRPC's default refuses a received
// message over 4 MiB.
constexpr int kUnlimited = -1;

// How long one check of the hand-over waits for the connection to progress;
// the Consumer's wait, between checks, sees a consumer that died.
constexpr std::chrono::milliseconds kConnectSlice{10};
// How long the consumer's server, once stopped, waits for the producer's
// connection to close before it cancels what is left.
constexpr std::chrono::seconds kShutdownGrace{1};

[[noreturn]] void throw_status(std::string_view what, const ::grpc::Status& status) {
  throw Error(fmt::format("{}: {} (gRPC status {})", what, status.error_message(), static_cast<int>(status.error_code())));
}

// The producer's Link.  One unary call per round trip: send() fills the
// request, receive() makes the call, which blocks until its response or a
// failed status.  The request and the response are reused, so that their
// buffers keep the capacity they grew to; the ClientContext cannot be
// (gRPC allows one call per context).
struct Link {
  ipc_bench::Echo::Stub* stub;
  ipc_bench::Payload* request;
  ipc_bench::Payload* response;

  void send(std::span<const std::byte> ping, std::uint64_t /*seq*/) {
    request->set_data(reinterpret_cast<const char*>(ping.data()), ping.size());
  }
  Reply receive(std::span<std::byte> /*buffer*/, std::uint64_t /*seq*/) {
    ::grpc::ClientContext context;
    const ::grpc::Status status = stub->Echo(&context, *request, response);
    if (!status.ok()) [[unlikely]]
      throw_status("Echo", status);
    const std::string& data = response->data();
    return {std::as_bytes(std::span(data.data(), data.size())), data.size()};
  }
};

enum class Kind { unix_socket, tcp };

template <Kind kind>
class Client {
 public:
  explicit Client(const RunnerOptions& /*options*/)
      : directory_(kind == Kind::unix_socket ? std::optional<PrivateDirectory>(PrivateDirectory::create())
                                             : std::nullopt),
        address_(directory_ ? "unix:" + directory_->entry("socket") : "127.0.0.1:0") {}

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    return {options.consumer_path,
            {"--address", address_, "--ready-fd", "3", "--payload", std::to_string(options.payload)},
            {{ready_.write_end.get(), 3}},
            options.consumer_cpu};
  }

  std::function<void()> hand_over(Consumer& consumer) {
    ready_.write_end.reset();  // the consumer's copy is the only one left: its close is our end of file
    const std::string line = read_ready_line(consumer);
    consumer.guard([&] { address_ = parse_ready_line(line); });
    ::grpc::ChannelArguments arguments;
    arguments.SetMaxReceiveMessageSize(kUnlimited);
    arguments.SetMaxSendMessageSize(kUnlimited);
    // A channel of its own connection: from gRPC's global pool, a new channel
    // to an address (a port) that the previous run's consumer used takes
    // over that connection's reconnection backoff, and waits seconds.
    arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    channel_ = ::grpc::CreateCustomChannel(address_, ::grpc::InsecureChannelCredentials(), arguments);
    // A channel connects on its first call; connected here, the warm-up and
    // the timed batch find it ready, and the socket file can go.
    // The connection makes progress only while a thread waits on the channel
    // (GetState alone does not poll): each check waits a little for a change.
    consumer.await(
        [&] {
          const grpc_connectivity_state state = channel_->GetState(true);
          if (state == GRPC_CHANNEL_READY) return true;
          (void)channel_->WaitForStateChange(state, std::chrono::system_clock::now() + kConnectSlice);
          return channel_->GetState(false) == GRPC_CHANNEL_READY;
        },
        "the gRPC channel to connect");
    if (directory_) directory_->remove();
    stub_ = ipc_bench::Echo::NewStub(channel_);
    // Nothing to interrupt: once the watchdog has killed the consumer, the
    // kernel closes its end of the connection, and gRPC fails the pending
    // call (UNAVAILABLE) as soon as it reads the end of the stream.
    return [] {};
  }

  Link link() { return {stub_.get(), &request_, &response_}; }

  // The stop: an empty request, answered empty.
  void stop() {
    ::grpc::ClientContext context;
    request_.clear_data();
    const ::grpc::Status status = stub_->Echo(&context, request_, &response_);
    if (!status.ok()) throw_status("Echo (the stop)", status);
    // The connection closed now: the consumer's Server::Shutdown waits for it.
    stub_.reset();
    channel_.reset();
  }

 private:
  // Everything the consumer writes to its READY descriptor, up to its close.
  std::string read_ready_line(Consumer& consumer) {
    std::string line;
    for (;;) {
      consumer.await_readable(ready_.read_end.get(), "READY on descriptor 3");
      char buf[kLongestReadyLine];
      const ssize_t n = ::read(ready_.read_end.get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw_errno("read READY");
      if (n == 0) return line;
      line.append(buf, static_cast<std::size_t>(n));
      if (line.size() > kLongestReadyLine) return line;  // refused by the parse
    }
  }

  // The address to call: the unix socket, or 127.0.0.1 and the port said.
  std::string parse_ready_line(std::string_view line) const {
    std::string address = address_;
    if (kind == Kind::tcp) {
      const auto end = line.find('\n');
      const auto refuse = [&] {
        return Error(fmt::format("expected 'PORT <port>' before READY, got '{}'", line.substr(0, end)));
      };
      if (!line.starts_with(kPortPrefix) || end == std::string_view::npos) throw refuse();
      const std::string_view digits = line.substr(kPortPrefix.size(), end - kPortPrefix.size());
      int port = 0;
      const auto [ptr, error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
      if (error != std::errc() || ptr != digits.data() + digits.size() || port <= 0 || port > 65535) throw refuse();
      address = fmt::format("127.0.0.1:{}", port);
      line.remove_prefix(end + 1);
    }
    expect_ready(std::as_bytes(std::span(line.data(), line.size())));
    return address;
  }

  // Destroyed in reverse: the stub and the channel (its connection closed)
  // before the directory, if the hand-over did not remove it already.
  std::optional<PrivateDirectory> directory_;  // unix only
  std::string address_;                        // as passed; once READY, the one to call
  AnonymousPipe ready_;
  std::shared_ptr<::grpc::Channel> channel_;
  std::unique_ptr<ipc_bench::Echo::Stub> stub_;
  ipc_bench::Payload request_, response_;
};

// The consumer's service: every request back as it came; the empty one is
// the stop, answered, then the server is shut down by serve().
class EchoService final : public ipc_bench::Echo::Service {
 public:
  ::grpc::Status Echo(::grpc::ServerContext* /*context*/, const ipc_bench::Payload* request,
                      ipc_bench::Payload* response) override {
    if (request->data().empty()) {
      stopped_.set_value();
      return ::grpc::Status::OK;
    }
    response->set_data(request->data());
    return ::grpc::Status::OK;
  }
  void wait_for_stop() { stopped_.get_future().wait(); }

 private:
  std::promise<void> stopped_;  // the producer calls one stop, after its last ping
};

}  // namespace

std::unique_ptr<Runner> start_unix(const RunnerOptions& o) {
  return std::make_unique<SpawnedRunner<Client<Kind::unix_socket>>>(o);
}
std::unique_ptr<Runner> start_tcp(const RunnerOptions& o) { return std::make_unique<SpawnedRunner<Client<Kind::tcp>>>(o); }

std::string unavailable() { return {}; }

int serve(const std::string& address, int ready_fd, std::size_t /*payload*/) {
  UniqueFd ready(ready_fd);
  EchoService service;
  ::grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(address, ::grpc::InsecureServerCredentials(), &port);
  builder.SetMaxReceiveMessageSize(kUnlimited);
  builder.SetMaxSendMessageSize(kUnlimited);
  builder.RegisterService(&service);
  const std::unique_ptr<::grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) throw Error(fmt::format("gRPC server: cannot listen on {}", address));
  // Listening: now the producer may connect.
  const std::string line =
      address.starts_with("unix:") ? std::string(kReadyMessage) : fmt::format("{}{}\n{}", kPortPrefix, port, kReadyMessage);
  write_all(ready.get(), std::as_bytes(std::span(line.data(), line.size())));
  ready.reset();
  service.wait_for_stop();
  // Shutdown waits for the producer to close its connection, which it does
  // once the stop is answered; bounded for a producer that does not.
  server->Shutdown(std::chrono::system_clock::now() + kShutdownGrace);
  return 0;
}

}  // namespace ipc::transport::grpc

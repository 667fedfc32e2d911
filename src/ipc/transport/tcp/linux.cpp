#include "ipc/transport/tcp/tcp.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>

#include <array>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ipc/consumer.hpp"
#include "ipc/inet.hpp"
#include "ipc/io.hpp"
#include "ipc/message.hpp"
#include "ipc/protocol.hpp"
#include "ipc/remote.hpp"
#include "ipc/spawned_runner.hpp"
#include "remote_runner.hpp"

namespace ipc::transport::tcp {
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

// The producer's end: the listener until the consumer connects, then the
// connection, with Nagle's algorithm off when Nodelay.
template <bool Nodelay>
class Connection {
 public:
  explicit Connection(const RunnerOptions&) : listener_(listening_socket()) {}

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    SpawnOptions spawn{options.consumer_path,
                       {"--connect", fmt::format("127.0.0.1:{}", local_port(listener_.get())), "--payload",
                        std::to_string(options.payload)},
                       {},
                       options.consumer_cpu};
    if constexpr (Nodelay) spawn.args.emplace_back("--nodelay");
    return spawn;
  }

  std::function<void()> hand_over(Consumer& consumer) {
    consumer.await_readable(listener_.get(), "the consumer to connect");
    connection_.reset(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!connection_) throw_errno("accept");
    listener_.reset();
    if constexpr (Nodelay) set_nodelay(connection_.get());
    consumer.await_readable(connection_.get(), "READY from the consumer");
    std::byte ready[kReadyMessage.size()];
    consumer.guard([&] {
      if (read_exact(connection_.get(), ready) == ReadResult::eof)
        throw Error("handshake failed: the consumer closed the connection");
      expect_ready(ready);
    });
    // A dead consumer's connection is closed by its kernel; shutting ours
    // down as well covers a consumer that only stopped answering.
    return [fd = connection_.get()] { ::shutdown(fd, SHUT_RDWR); };
  }

  StreamLink link() const { return {connection_.get(), connection_.get(), "the consumer closed the connection"}; }

  // Our FIN.
  void stop() {
    if (::shutdown(connection_.get(), SHUT_WR) != 0) throw_errno("shutdown");
  }

 private:
  UniqueFd listener_;
  UniqueFd connection_;
};

// Against a consumer started by hand (tcp_consumer --listen; src/ipc/linux/remote_runner.hpp).
class RemoteTcpRunner final : public RemoteRunner {
 public:
  RemoteTcpRunner(const RemoteOptions& options, bool nodelay) : RemoteRunner(options, SOCK_STREAM) {
    // As when spawning: a consumer gone makes our write fail with EPIPE
    // instead of killing ipc_bench.
    ::signal(SIGPIPE, SIG_IGN);
    if (nodelay) set_nodelay(socket_.get());
    const sockaddr_in address = parse_endpoint(where_);
    if (::connect(socket_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      if (errno == EINPROGRESS || errno == EAGAIN)
        throw Error(fmt::format("connect to the remote consumer at {}: no answer within {}", where_, seconds(timeout_)));
      throw_errno(fmt::format("connect to the remote consumer at {}", where_));
    }
    // Registered once connected, so that a shutdown() always finds a
    // connection to end (a stop signal meanwhile is applied at once).
    interruptible_.emplace(socket_.get(), SHUT_RDWR);
    std::optional<std::string> answer;
    try {
      write_all(socket_.get(),
                bytes_of(make_hello(nodelay ? "tcp_nodelay" : "tcp_nagle", options.payload, options.token)));
      answer = read_line(socket_.get(), kMaxHello, timeout_);
    } catch (const TimedOut&) {
      throw Error(fmt::format("the remote consumer at {} did not answer within {}", where_, seconds(timeout_)));
    } catch (const Error& e) {
      throw Error(fmt::format("handshake with the remote consumer at {} failed: {}", where_, e.what()));
    }
    if (!answer) throw Error(fmt::format("the remote consumer at {} closed the connection during the handshake", where_));
    expect_accepted(*answer + '\n', where_);
  }

  void run(Batch& batch) override {
    StreamLink link{socket_.get(), socket_.get(), "the consumer closed the connection"};
    run_remote(link, batch, "");
  }

  // The stop is our FIN; the consumer answers with its own, which says it
  // saw the end of the run at a message boundary.
  void finish() override {
    if (::shutdown(socket_.get(), SHUT_WR) != 0) throw_errno("shutdown");
    std::byte extra[1];
    try {
      if (read_exact(socket_.get(), extra) == ReadResult::eof) return;
    } catch (const TimedOut&) {
      throw Error(fmt::format("the remote consumer at {} did not close the connection within {} of the stop message",
                              where_, seconds(timeout_)));
    }
    throw Error(fmt::format("the remote consumer at {} sent more than its pongs", where_));
  }
};

constexpr std::array<std::string_view, 2> kServed{"tcp_nodelay", "tcp_nagle"};

// One run for a producer that connected to tcp_consumer --listen: the
// handshake, then the echo until EOF.  Every outcome is one log line.
void serve_run(int fd, const sockaddr_in& peer, const ListenOptions& listen) {
  const std::string who = to_string(peer);
  std::optional<Hello> run;
  std::uint64_t served = 0;
  try {
    set_io_timeout(fd, listen.idle_timeout);
    const auto line = read_line(fd, kMaxHello, listen.idle_timeout);
    if (!line) return log_line(listen, fmt::format("{} closed the connection before its hello", who));
    const Verdict verdict = judge_hello(*line, listen.token, kServed, kMaxPayload);
    if (!verdict.run) {
      write_all(fd, bytes_of(refusal_line(verdict.refusal)));
      return log_line(listen, fmt::format("{} refused: {}", who, verdict.refusal));
    }
    run = verdict.run;
    if (run->transport == "tcp_nodelay") set_nodelay(fd);
    write_all(fd, ready_bytes());
    std::vector<std::byte> buf(run->payload);
    while (read_exact(fd, buf) == ReadResult::complete) {
      write_all(fd, buf);
      ++served;
    }
    log_line(listen, fmt::format("{} {} payload {}: {} round trips, ended by the producer", who, run->transport,
                                 run->payload, served));
  } catch (const std::exception& e) {
    const std::string what = dynamic_cast<const TimedOut*>(&e)
                                 ? fmt::format("nothing for {}; gave up", seconds(listen.idle_timeout))
                                 : e.what();
    if (!run) return log_line(listen, fmt::format("{} handshake failed: {}", who, what));
    log_line(listen, fmt::format("{} {} payload {}: {} round trips, then {}", who, run->transport, run->payload, served,
                                 what));
  }
}

// While a run is in progress, a producer that connects gets a refusal at
// once instead of a silent wait: after its hello, so that it reads the
// answer rather than a reset.
void refuse_busy(UniqueFd connection, const sockaddr_in& peer, const ListenOptions& listen) {
  const std::string who = to_string(peer);
  try {
    const auto within = std::min(listen.idle_timeout, std::chrono::milliseconds(5000));
    set_io_timeout(connection.get(), within);
    if (read_line(connection.get(), kMaxHello, within))
      write_all(connection.get(), bytes_of(refusal_line("busy with another run")));
    log_line(listen, fmt::format("{} refused: busy with another run", who));
  } catch (const std::exception& e) {
    log_line(listen, fmt::format("{} refused (busy with another run): {}", who, e.what()));
  }
}

}  // namespace

std::unique_ptr<Runner> start_nodelay(const RunnerOptions& options) {
  return std::make_unique<SpawnedRunner<Connection<true>>>(options);
}

std::unique_ptr<Runner> start_nagle(const RunnerOptions& options) {
  return std::make_unique<SpawnedRunner<Connection<false>>>(options);
}

std::unique_ptr<Runner> remote_nodelay(const RemoteOptions& options) {
  return std::make_unique<RemoteTcpRunner>(options, true);
}

std::unique_ptr<Runner> remote_nagle(const RemoteOptions& options) {
  return std::make_unique<RemoteTcpRunner>(options, false);
}

int serve_listen(const ListenOptions& listen) {
  // A producer that vanishes mid-write must cost a run, not the server.
  ::signal(SIGPIPE, SIG_IGN);
  const UniqueFd listener = bind_to(SOCK_STREAM, parse_endpoint(listen.endpoint, true));
  if (::listen(listener.get(), 16) != 0) throw_errno("listen");
  log_line(listen, fmt::format("listening on {} (tcp_nodelay, tcp_nagle)", to_string(local_address(listener.get()))));
  // One run at a time, on its own thread, so that this one can refuse the
  // producers that come meanwhile.  A run counts as over before its
  // connection closes: the producer's next run, which starts when it sees
  // that close, is never taken for a second producer.  A run that ends
  // without a clean close (its producer vanished) may still be ending when
  // the next producer comes: that one gets a second to wait for it.
  std::mutex mutex;
  std::condition_variable idle;
  bool busy = false;
  std::thread run;
  for (;;) {
    sockaddr_in peer{};
    socklen_t length = sizeof peer;
    UniqueFd connection(::accept4(listener.get(), reinterpret_cast<sockaddr*>(&peer), &length, SOCK_CLOEXEC));
    if (!connection) {
      if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO || errno == EPERM) continue;
      const int saved = errno;
      if (run.joinable()) run.join();
      errno = saved;
      throw_errno("accept");
    }
    {
      std::unique_lock lock(mutex);
      if (!idle.wait_for(lock, std::chrono::seconds(1), [&] { return !busy; })) {
        lock.unlock();
        refuse_busy(std::move(connection), peer, listen);
        continue;
      }
      busy = true;
    }
    if (run.joinable()) run.join();
    run = std::thread([&, peer, connection = std::move(connection)]() mutable {
      serve_run(connection.get(), peer, listen);
      {
        const std::scoped_lock lock(mutex);
        busy = false;
      }
      idle.notify_all();
      connection.reset();
    });
  }
}

int serve(std::string_view endpoint, std::size_t payload, bool nodelay) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) throw_errno("socket");
  connect_to(fd.get(), parse_endpoint(endpoint));
  if (nodelay) set_nodelay(fd.get());
  write_all(fd.get(), ready_bytes());
  echo_stream(fd.get(), fd.get(), payload);
  return 0;
}

}  // namespace ipc::transport::tcp

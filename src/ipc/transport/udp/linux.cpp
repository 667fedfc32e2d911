#include "ipc/transport/udp/udp.hpp"

#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "ipc/consumer.hpp"
#include "ipc/datagram.hpp"
#include "ipc/fanout_runner.hpp"
#include "ipc/inet.hpp"
#include "ipc/message.hpp"
#include "ipc/io.hpp"
#include "ipc/protocol.hpp"
#include "ipc/remote.hpp"
#include "ipc/spawned_runner.hpp"
#include "remote_runner.hpp"

namespace ipc::transport::udp {
namespace {

// The producer's end: one socket, connected to the consumer's once it said READY.
class Socket {
 public:
  explicit Socket(const RunnerOptions&) : socket_(bind_loopback(SOCK_DGRAM)) {}

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    return {options.consumer_path,
            {"--connect", fmt::format("127.0.0.1:{}", local_port(socket_.get())), "--payload",
             std::to_string(options.payload)},
            {},
            options.consumer_cpu};
  }

  std::function<void()> hand_over(Consumer& consumer) {
    // Connected: from now on the kernel drops datagrams from anyone else.
    connect_to(socket_.get(), await_ready(consumer));
    // A dead consumer sends nothing: shutting the socket down wakes our recv.
    return [fd = socket_.get()] { ::shutdown(fd, SHUT_RDWR); };
  }

  DatagramLink link() const { return {socket_.get(), "no pong"}; }

  // An empty datagram.
  void stop() { send_message(socket_.get(), {}); }

 private:
  // The address of the first datagram that is exactly READY from loopback.
  // Until we connect, anyone on this machine can send to our port: a stray
  // datagram is skipped, not taken for the consumer (within a bound, so a
  // flood cannot keep the handshake going for ever).
  sockaddr_in await_ready(Consumer& consumer) {
    for (int stray = 0; stray < 1000; ++stray) {
      consumer.await_readable(socket_.get(), "READY from the consumer");
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
    consumer.guard([] { throw Error("handshake failed: 1000 datagrams arrived, none of them READY"); });
    return {};
  }

  UniqueFd socket_;
};

// Against a consumer started by hand (udp_consumer --listen;
// src/ipc/linux/remote_runner.hpp).  A lost ping or pong, quite possible
// across a real network, is a wait that times out: nothing resends it, the
// round trip fails after the timeout.
class RemoteUdpRunner final : public RemoteRunner {
 public:
  explicit RemoteUdpRunner(const RemoteOptions& options) : RemoteRunner(options, SOCK_DGRAM) {
    // Connected: the kernel picks our address and port, and drops datagrams
    // from anyone but the consumer.
    connect_to(socket_.get(), parse_endpoint(where_));
    interruptible_.emplace(socket_.get(), SHUT_RD);
    send_message(socket_.get(), bytes_of(make_hello("udp", options.payload, options.token)));
    std::array<char, kMaxHello + 1> answer{};
    ssize_t received;
    do {
      received = ::recv(socket_.get(), answer.data(), answer.size(), MSG_TRUNC);
    } while (received < 0 && errno == EINTR);
    if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      throw Error(fmt::format("no answer from the remote consumer at {} within {} (is udp_consumer --listen "
                              "running there, and reachable?)", where_, seconds(timeout_)));
    if (received < 0 && errno == ECONNREFUSED)
      throw Error(fmt::format("the remote consumer at {} is not listening, or is serving another run "
                              "(port unreachable)", where_));
    if (received < 0) throw_errno(fmt::format("handshake with the remote consumer at {}: recv", where_));
    expect_accepted(std::string_view(answer.data(), std::min(static_cast<std::size_t>(received), answer.size())), where_);
  }

  // A run that did not finish still sends the stop, so that the consumer
  // serves the next producer without waiting for its idle timeout, and waits
  // a little for the acknowledgement, so that the next run does not find the
  // consumer still busy with this one.
  ~RemoteUdpRunner() override {
    if (finished_ || ::send(socket_.get(), nullptr, 0, MSG_DONTWAIT) != 0) return;
    pollfd p{socket_.get(), POLLIN, 0};
    const auto wait = std::min(timeout_, std::chrono::milliseconds(1000));
    for (auto deadline = std::chrono::steady_clock::now() + wait;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return;
      std::byte ack[1];
      // Only the empty acknowledgement ends the wait early; a late pong does not.
      const ssize_t r = ::recv(socket_.get(), ack, sizeof ack, MSG_DONTWAIT | MSG_TRUNC);
      if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) return;
    }
  }

  void run(Batch& batch) override {
    DatagramLink link{socket_.get(), "no pong"};
    run_remote(link, batch, ": a datagram lost, or the consumer gone");
  }

  // The stop is an empty datagram, which the consumer acknowledges with one;
  // either may be lost, so the stop is sent again until the acknowledgement
  // comes or the timeout passes.
  void finish() override {
    finished_ = true;
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + timeout_;
    const auto resend = std::clamp(timeout_ / 10, std::chrono::milliseconds(10), std::chrono::milliseconds(500));
    for (;;) {
      send_message(socket_.get(), {});
      pollfd p{socket_.get(), POLLIN, 0};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) break;
      const int r = ::poll(&p, 1, static_cast<int>(std::min(left, resend).count()));
      if (r < 0 && errno != EINTR) throw_errno("poll");
      if (r <= 0) continue;
      std::byte ack[1];
      const ssize_t n = ::recv(socket_.get(), ack, sizeof ack, MSG_TRUNC | MSG_DONTWAIT);
      if (n == 0) return;
      if (n > 0) throw Error(fmt::format("the remote consumer at {} answered the stop with {} bytes", where_, n));
      if (errno == ECONNREFUSED)
        throw Error(fmt::format("the remote consumer at {} was gone before it acknowledged the stop", where_));
      if (errno != EAGAIN && errno != EINTR) throw_errno("recv");
    }
    throw Error(fmt::format("the remote consumer at {} did not acknowledge the stop within {}", where_,
                            seconds(timeout_)));
  }

 private:
  bool finished_ = false;
};

bool same_peer(const sockaddr_in& a, const sockaddr_in& b) {
  return a.sin_addr.s_addr == b.sin_addr.s_addr && a.sin_port == b.sin_port;
}

// The echo of one run, on the listening socket connected to the producer,
// until the stop (returns true) or a failure (false, `ending` says which).
bool echo_run(int fd, const Hello& run, std::uint64_t& served, std::string& ending, const ListenOptions& listen) {
  std::vector<std::byte> buf(run.payload);
  for (;;) {
    ssize_t r;
    do {
      r = ::recv(fd, buf.data(), buf.size(), MSG_TRUNC);
    } while (r < 0 && errno == EINTR);
    if (r == 0) {
      ending = "ended by the producer";
      return true;
    }
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      ending = fmt::format("then nothing for {}; gave up", seconds(listen.idle_timeout));
      return false;
    }
    if (r < 0 && errno == ECONNREFUSED) {
      ending = "then the producer's port was closed (port unreachable)";
      return false;
    }
    if (r < 0) throw_errno("recv");
    send_message(fd, std::span(buf).first(std::min(static_cast<std::size_t>(r), buf.size())));
    ++served;
  }
}

}  // namespace

std::unique_ptr<Runner> start(const RunnerOptions& options) { return std::make_unique<SpawnedRunner<Socket>>(options); }

std::unique_ptr<Runner> remote(const RemoteOptions& options) { return std::make_unique<RemoteUdpRunner>(options); }

// One socket, bound to the address given, serves every run.  Idle, it is not
// connected and takes hellos from anyone.  For a run it is connected to the
// producer: the kernel then delivers only that producer's datagrams to it,
// and answers anyone else with ICMP port unreachable, which their ipc_bench
// reports as "not listening, or serving another run".  After the run,
// connect(AF_UNSPEC) makes it take hellos again.
int serve_listen(const ListenOptions& listen) {
  const UniqueFd socket = bind_to(SOCK_DGRAM, parse_endpoint(listen.endpoint, true));
  const int fd = socket.get();
  log_line(listen, fmt::format("listening on {} (udp)", to_string(local_address(fd))));
  constexpr std::array<std::string_view, 1> kServed{"udp"};
  std::optional<sockaddr_in> last_producer;
  for (;;) {
    set_io_timeout(fd, std::chrono::milliseconds(0));
    std::array<char, kMaxHello + 1> datagram{};
    sockaddr_in peer{};
    socklen_t length = sizeof peer;
    const ssize_t r = ::recvfrom(fd, datagram.data(), datagram.size(), MSG_TRUNC, reinterpret_cast<sockaddr*>(&peer),
                                 &length);
    if (r < 0) {
      // ECONNREFUSED: an ICMP error left over from the last run's producer.
      if (errno == EINTR || errno == ECONNREFUSED) continue;
      throw_errno("recvfrom");
    }
    const std::string who = to_string(peer);
    if (r == 0) {
      // The last producer's stop again: our acknowledgement was lost.
      if (last_producer && same_peer(*last_producer, peer))
        (void)::sendto(fd, nullptr, 0, 0, reinterpret_cast<const sockaddr*>(&peer), sizeof peer);
      continue;
    }
    const std::string_view text(datagram.data(), std::min(static_cast<std::size_t>(r), datagram.size()));
    // Anything but a hello (a late ping of a run that ended, a stranger) is dropped.
    if (!text.starts_with("HELLO ")) continue;
    const Verdict verdict = static_cast<std::size_t>(r) <= kMaxHello && text.ends_with('\n')
                                ? judge_hello(text.substr(0, text.size() - 1), listen.token, kServed,
                                              kMaxPayload)
                                : Verdict{std::nullopt, "malformed hello"};
    if (!verdict.run) {
      const std::string answer = refusal_line(verdict.refusal);
      (void)::sendto(fd, answer.data(), answer.size(), 0, reinterpret_cast<const sockaddr*>(&peer), sizeof peer);
      log_line(listen, fmt::format("{} refused: {}", who, verdict.refusal));
      continue;
    }
    std::uint64_t served = 0;
    std::string ending;
    bool stopped = false;
    try {
      connect_to(fd, peer);
      last_producer = peer;
      // Datagrams that came from others before the connect are still queued:
      // drop them (the producer itself sends nothing before READY).
      std::byte junk[1];
      while (::recv(fd, junk, sizeof junk, MSG_DONTWAIT | MSG_TRUNC) >= 0) {
      }
      set_io_timeout(fd, listen.idle_timeout);
      send_message(fd, ready_bytes());
      stopped = echo_run(fd, *verdict.run, served, ending, listen);
    } catch (const std::exception& e) {
      ending = fmt::format("then {}", e.what());
    }
    sockaddr unspecified{};
    unspecified.sa_family = AF_UNSPEC;
    if (::connect(fd, &unspecified, sizeof unspecified) != 0) throw_errno("disconnect");
    // Acknowledged only now that the socket takes hellos again: the
    // producer's next run, which starts when the acknowledgement arrives, is
    // never taken for a second producer.
    if (stopped) (void)::sendto(fd, nullptr, 0, 0, reinterpret_cast<const sockaddr*>(&peer), sizeof peer);
    log_line(listen, fmt::format("{} udp payload {}: {} round trips, {}", who, verdict.run->payload, served, ending));
  }
}

std::unique_ptr<Fanout> start_fanout(const FanoutOptions& options) {
  return std::make_unique<FanoutRunner<Socket>>(options);
}

int serve_stamped(std::string_view endpoint, std::size_t payload) {
  if (payload < kFanoutMinPayload)
    throw Error(fmt::format("--stamp needs a payload of at least {} bytes, got {}", kFanoutMinPayload, payload));
  // Chosen and calibrated before READY, as the producer's was: the same clock.
  const TickClock& clock = TickClock::instance();
  UniqueFd fd = bind_loopback(SOCK_DGRAM);
  connect_to(fd.get(), parse_endpoint(endpoint));
  send_message(fd.get(), ready_bytes());
  echo_stamped_messages(fd.get(), payload, clock);
  return 0;
}

int serve(std::string_view endpoint, std::size_t payload) {
  UniqueFd fd = bind_loopback(SOCK_DGRAM);
  connect_to(fd.get(), parse_endpoint(endpoint));
  send_message(fd.get(), ready_bytes());
  echo_messages(fd.get(), payload);
  return 0;
}

}  // namespace ipc::transport::udp

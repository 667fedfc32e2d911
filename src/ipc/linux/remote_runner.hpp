#pragma once
// RemoteRunner: what the Runners against a consumer started by hand share
// (tcp_consumer or udp_consumer --listen, for ipc_bench --remote): the
// consumer's address, one socket whose every wait is bounded by the
// timeout, and the run's message and sequence.  There is no child to watch:
// SO_RCVTIMEO and SO_SNDTIMEO bound the waits instead, which costs nothing
// per round trip.
#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ipc/error.hpp"
#include "ipc/inet.hpp"
#include "ipc/io.hpp"
#include "ipc/message.hpp"
#include "ipc/remote.hpp"
#include "ipc/round_trip_loop.hpp"
#include "ipc/runner.hpp"
#include "ipc/unique_fd.hpp"

namespace ipc {

// A timeout as the messages give it: "5 s", "0.25 s".
inline std::string seconds(std::chrono::milliseconds d) {
  return fmt::format("{:g} s", static_cast<double>(d.count()) / 1000.0);
}

class RemoteRunner : public Runner {
 public:
  [[nodiscard]] pid_t consumer_pid() const noexcept override { return -1; }

 protected:
  // An unconnected socket of `type` (SOCK_STREAM, SOCK_DGRAM) whose waits
  // give up after options.timeout.
  RemoteRunner(const RemoteOptions& options, int type)
      : where_(options.endpoint),
        timeout_(options.timeout),
        socket_(::socket(AF_INET, type | SOCK_CLOEXEC, 0)),
        message_(options.payload, options.check) {
    if (!socket_) throw_errno("socket");
    set_io_timeout(socket_.get(), timeout_);
  }

  // One batch over `link`.  A failure names the round trip and the
  // consumer; `timeout_hint` follows the address when a wait timed out.
  template <class Link>
  void run_remote(Link& link, Batch& batch, std::string_view timeout_hint) {
    try {
      run_batch(link, message_, seq_, progress_, batch);
    } catch (const TimedOut& e) {
      throw Error(fmt::format("round trip {}: {} within {} (remote consumer at {}{})", seq_,
                              e.sending() ? "could not send" : "no reply", seconds(timeout_), where_, timeout_hint));
    } catch (const Error& e) {
      throw Error(fmt::format("round trip {}: {} (remote consumer at {})", seq_, e.what(), where_));
    }
  }

  std::string where_;
  std::chrono::milliseconds timeout_;
  UniqueFd socket_;
  std::optional<InterruptibleSocket> interruptible_;  // unregistered before the socket closes
  Message message_;
  std::uint64_t seq_ = 0;
  std::atomic<std::uint64_t> progress_{0};  // no watchdog: the socket's timeouts bound the waits
};

}  // namespace ipc

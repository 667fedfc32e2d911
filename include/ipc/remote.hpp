#pragma once
// Remote consumers: a consumer started by hand, maybe on another machine
// (tcp_consumer or udp_consumer --listen ADDR:PORT --token SECRET), serving
// one run after another for ipc_bench --remote HOST:PORT --token SECRET.
//
// Before any timed traffic the producer sends a hello line naming the
// protocol version, the transport, the payload and the token; the consumer
// answers READY or REFUSED <reason> (docs/protocol.md, section 8).
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ipc {

inline constexpr std::string_view kHelloVersion = "1";
// The longest hello or answer, newline included: nobody reads further.
inline constexpr std::size_t kMaxHello = 512;
inline constexpr std::size_t kMaxToken = 256;

// What is wrong with `token` (empty, longer than kMaxToken, a byte outside
// '!'..'~'), or nullopt when it can be used.
[[nodiscard]] std::optional<std::string> token_problem(std::string_view token);

// Whether the tokens are equal, in a time that depends on the length of
// `expected` only, never on where they differ.
[[nodiscard]] bool tokens_equal(std::string_view given, std::string_view expected) noexcept;

// "HELLO 1 <transport> <payload> <token>\n"
[[nodiscard]] std::string make_hello(std::string_view transport, std::size_t payload, std::string_view token);

// A run that a consumer accepted.
struct Hello {
  std::string transport;
  std::size_t payload = 0;
};

// The consumer's verdict on a hello (the line without its newline): the run,
// or why it is refused.  The token is checked before anything but the
// version is looked at.
struct Verdict {
  std::optional<Hello> run;
  std::string refusal;
};
[[nodiscard]] Verdict judge_hello(std::string_view line, std::string_view token,
                                  std::span<const std::string_view> transports, std::size_t max_payload);

// The bytes of a line, to send.
inline std::span<const std::byte> bytes_of(std::string_view text) noexcept {
  return std::as_bytes(std::span(text.data(), text.size()));
}

// "REFUSED <reason>\n"
[[nodiscard]] std::string refusal_line(std::string_view reason);

// The producer's reading of the consumer's answer (newline included):
// returns if it is READY, throws ipc::Error saying why not.
void expect_accepted(std::string_view answer, std::string_view consumer);

// Reads one line, up to `max` bytes with its newline, one byte at a time so
// that nothing after it is consumed, the whole line within `within` (ms):
// a peer that sends a byte now and then cannot stretch it.  Returns it
// without the newline, or nullopt on EOF before the first byte; throws
// TimedOut when `within` (or SO_RCVTIMEO) passes, ipc::Error otherwise.
[[nodiscard]] std::optional<std::string> read_line(int fd, std::size_t max, std::chrono::milliseconds within);

// How a consumer started by hand serves (--listen, --token, --idle-timeout).
struct ListenOptions {
  std::string endpoint;  // A.B.C.D:PORT, bound exactly; port 0: the kernel chooses
  std::string token;
  // How long a producer may stay silent, in the handshake or between pings,
  // before the consumer gives up on it and serves the next one.
  std::chrono::milliseconds idle_timeout{30000};
  std::string name;  // prefix of every log line: "tcp_consumer"
};

// One line on stdout, prefixed with the consumer's name, flushed at once;
// safe from several threads.
void log_line(const ListenOptions& listen, std::string_view text);

// A socket of a remote run in progress, registered for interrupt_remote_runs()
// (from construction to destruction, which must come before the socket closes).
class InterruptibleSocket {
 public:
  // `how`: the shutdown() that wakes the run's pending wait (SHUT_RDWR for
  // TCP, which also tells the consumer; SHUT_RD for UDP).
  InterruptibleSocket(int fd, int how);
  InterruptibleSocket(const InterruptibleSocket&) = delete;
  InterruptibleSocket& operator=(const InterruptibleSocket&) = delete;
  ~InterruptibleSocket();

 private:
  int fd_;
};

// Shuts down the socket of every remote run in progress, and of every one
// registered later, from any thread: how ipc_bench stops runs on SIGINT or
// SIGTERM that have no child to kill.
void interrupt_remote_runs() noexcept;

}  // namespace ipc

#include "ipc/remote.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <mutex>
#include <vector>

#include "ipc/error.hpp"
#include "ipc/io.hpp"
#include "ipc/parse.hpp"
#include "ipc/protocol.hpp"

namespace ipc {
namespace {

constexpr std::string_view kRefused = "REFUSED ";

std::vector<std::string_view> split_spaces(std::string_view line) {
  std::vector<std::string_view> fields;
  for (std::size_t start = 0; start <= line.size();) {
    const std::size_t end = std::min(line.find(' ', start), line.size());
    fields.push_back(line.substr(start, end - start));
    start = end + 1;
  }
  return fields;
}

// Printable ASCII for messages: what a peer sent may hold anything.
std::string printable(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, 200)) out += (c >= ' ' && c <= '~') ? c : '?';
  return out;
}

struct LiveSockets {
  std::mutex mutex;
  std::map<int, int> how;    // fd -> shutdown() argument
  bool interrupted = false;  // a socket registered afterwards is shut down at once
};

LiveSockets& live_sockets() {
  static LiveSockets live;
  return live;
}

std::mutex& log_mutex() {
  static std::mutex mutex;
  return mutex;
}

}  // namespace

std::optional<std::string> token_problem(std::string_view token) {
  if (token.empty()) return "the token is empty";
  if (token.size() > kMaxToken) return fmt::format("the token is longer than {} bytes", kMaxToken);
  if (!std::ranges::all_of(token, [](char c) { return c >= '!' && c <= '~'; }))
    return "the token may only hold printable ASCII characters other than space";
  return std::nullopt;
}

bool tokens_equal(std::string_view given, std::string_view expected) noexcept {
  // Every byte of `expected` is compared whatever happened before; volatile
  // keeps the compiler from stopping at the first difference.
  volatile unsigned char differ = given.size() != expected.size() ? 1 : 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const unsigned char g = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    differ = differ | (g ^ static_cast<unsigned char>(expected[i]));
  }
  return differ == 0;
}

std::string make_hello(std::string_view transport, std::size_t payload, std::string_view token) {
  return fmt::format("HELLO {} {} {} {}\n", kHelloVersion, transport, payload, token);
}

Verdict judge_hello(std::string_view line, std::string_view token, std::span<const std::string_view> transports,
                    std::size_t max_payload) {
  const auto fields = split_spaces(line);
  if (fields[0] != "HELLO" || fields.size() < 2) return {std::nullopt, "malformed hello"};
  if (fields[1] != kHelloVersion)
    return {std::nullopt, fmt::format("unsupported protocol version {} (this consumer speaks {})", printable(fields[1]),
                                      kHelloVersion)};
  if (fields.size() == 4) return {std::nullopt, "missing token"};
  if (fields.size() != 5) return {std::nullopt, "malformed hello"};
  if (!tokens_equal(fields[4], token)) return {std::nullopt, "bad token"};
  const std::string_view transport = fields[2];
  if (std::ranges::find(transports, transport) == transports.end()) {
    std::string served;
    for (const std::string_view t : transports) served += fmt::format("{}{}", served.empty() ? "" : ", ", t);
    return {std::nullopt, fmt::format("transport {} is not served here (this consumer serves {})", printable(transport),
                                      served)};
  }
  const auto payload = parse_count(fields[3]);
  if (!payload || *payload > max_payload)
    return {std::nullopt, fmt::format("payload {} is not from 1 to {} bytes", printable(fields[3]), max_payload)};
  return {Hello{std::string(transport), static_cast<std::size_t>(*payload)}, {}};
}

std::string refusal_line(std::string_view reason) { return fmt::format("{}{}\n", kRefused, reason); }

void expect_accepted(std::string_view answer, std::string_view consumer) {
  if (answer == kReadyMessage) return;
  if (answer.starts_with(kRefused) && answer.ends_with('\n')) {
    answer.remove_prefix(kRefused.size());
    answer.remove_suffix(1);
    throw Error(fmt::format("the remote consumer at {} refused the run: {}", consumer, printable(answer)));
  }
  throw Error(fmt::format("handshake failed: the remote consumer at {} answered '{}', neither READY nor REFUSED",
                          consumer, printable(answer)));
}

std::optional<std::string> read_line(int fd, std::size_t max, std::chrono::milliseconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  std::string line;
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    const int ready = left.count() > 0 ? ::poll(&p, 1, static_cast<int>(left.count())) : 0;
    if (ready == 0) throw TimedOut(false);
    if (ready < 0) {
      if (errno == EINTR) continue;
      throw_errno("poll");
    }
    char c = 0;
    const ssize_t r = ::read(fd, &c, 1);
    if (r == 1) {
      if (c == '\n') return line;
      line.push_back(c);
      if (line.size() >= max) throw Error(fmt::format("line longer than {} bytes", max - 1));
    } else if (r == 0) {
      if (line.empty()) return std::nullopt;
      throw Error(fmt::format("peer closed in the middle of a line ('{}')", printable(line)));
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      throw TimedOut(false);
    } else if (errno != EINTR) {
      throw_errno("read");
    }
  }
}

void log_line(const ListenOptions& listen, std::string_view text) {
  const std::scoped_lock lock(log_mutex());
  fmt::print(stdout, "{}: {}\n", listen.name, text);
  std::fflush(stdout);
}

InterruptibleSocket::InterruptibleSocket(int fd, int how) : fd_(fd) {
  const std::scoped_lock lock(live_sockets().mutex);
  live_sockets().how[fd] = how;
  if (live_sockets().interrupted) ::shutdown(fd, how);
}

InterruptibleSocket::~InterruptibleSocket() {
  const std::scoped_lock lock(live_sockets().mutex);
  live_sockets().how.erase(fd_);
}

void interrupt_remote_runs() noexcept {
  const std::scoped_lock lock(live_sockets().mutex);
  live_sockets().interrupted = true;
  for (const auto& [fd, how] : live_sockets().how) ::shutdown(fd, how);
}

}  // namespace ipc

#include "ipc/inet.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <charconv>

#include "ipc/error.hpp"

namespace ipc {

UniqueFd bind_loopback(int type) {
  UniqueFd fd(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
  if (!fd) throw_errno("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) throw_errno("bind");
  return fd;
}

std::uint16_t local_port(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof address;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) throw_errno("getsockname");
  return ntohs(address.sin_port);
}

sockaddr_in parse_endpoint(std::string_view endpoint, bool any_port) {
  const auto colon = endpoint.rfind(':');
  const auto bad = [&] { return Error(fmt::format("'{}' is not an IPv4 address and port (A.B.C.D:PORT)", endpoint)); };
  if (colon == std::string_view::npos) throw bad();
  sockaddr_in address{};
  address.sin_family = AF_INET;
  const std::string host(endpoint.substr(0, colon));
  if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) throw bad();
  const std::string_view port_text = endpoint.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || (port == 0 && !any_port) || port > 65535)
    throw bad();
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  return address;
}

std::string to_string(const sockaddr_in& address) {
  char host[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &address.sin_addr, host, sizeof host);
  return fmt::format("{}:{}", host, ntohs(address.sin_port));
}

void connect_to(int fd, const sockaddr_in& address) {
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
    throw_errno("connect to " + to_string(address));
}

namespace {

UniqueFd bound_socket(int type, const sockaddr_in& address) {
  UniqueFd fd(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
  if (!fd) throw_errno("socket");
  const int one = 1;
  if (type == SOCK_STREAM && ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
    throw_errno("setsockopt SO_REUSEADDR");
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
    throw_errno("bind " + to_string(address));
  return fd;
}

}  // namespace

UniqueFd bind_to(int type, const sockaddr_in& address) {
  if (address.sin_port != 0) return bound_socket(type, address);
  // Learn a free port from the kernel, then bind it by number.  Someone may
  // take it in between: try again a few times.
  for (int attempt = 0;; ++attempt) {
    sockaddr_in chosen = local_address(bound_socket(type, address).get());
    try {
      return bound_socket(type, chosen);
    } catch (const Error&) {
      if (attempt == 20) throw;
    }
  }
}

sockaddr_in local_address(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof address;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) throw_errno("getsockname");
  return address;
}

std::optional<HostPort> split_host_port(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 || port > 65535)
    return std::nullopt;
  return HostPort{std::string(text.substr(0, colon)), static_cast<std::uint16_t>(port)};
}

in_addr resolve_ipv4(const std::string& host) {
  in_addr address{};
  if (::inet_pton(AF_INET, host.c_str(), &address) == 1) return address;
  addrinfo hints{};
  hints.ai_family = AF_INET;
  addrinfo* found = nullptr;
  const int r = ::getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (r != 0) throw Error(fmt::format("cannot resolve '{}': {}", host, ::gai_strerror(r)));
  address = reinterpret_cast<const sockaddr_in*>(found->ai_addr)->sin_addr;
  ::freeaddrinfo(found);
  return address;
}

void set_io_timeout(int fd, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>(timeout.count() % 1000 * 1000);
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0) throw_errno("setsockopt SO_RCVTIMEO");
  if (::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0) throw_errno("setsockopt SO_SNDTIMEO");
}

}  // namespace ipc

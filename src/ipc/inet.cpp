#include "ipc/inet.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <sys/socket.h>

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

sockaddr_in parse_endpoint(std::string_view endpoint) {
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
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 || port > 65535) throw bad();
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

}  // namespace ipc

#include "socket.hpp"

#include <fmt/format.h>

#include <mutex>

#include "ipc/windows/error.hpp"

namespace ipc::windows {

void ensure_winsock() {
  static std::once_flag once;
  std::call_once(once, [] {
    WSADATA data;
    if (const int r = ::WSAStartup(MAKEWORD(2, 2), &data); r != 0)
      throw Error(fmt::format("WSAStartup: {}", win32_message(static_cast<unsigned long>(r))));
  });
}

UniqueSocket loopback_socket(int type) {
  ensure_winsock();
  UniqueSocket s(::WSASocketW(AF_INET, type, 0, nullptr, 0, WSA_FLAG_NO_HANDLE_INHERIT));
  if (s.get() == INVALID_SOCKET) throw_socket_error("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(s.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) throw_socket_error("bind");
  return s;
}

std::uint16_t local_port(SOCKET s) {
  sockaddr_in address{};
  int length = sizeof address;
  if (::getsockname(s, reinterpret_cast<sockaddr*>(&address), &length) != 0) throw_socket_error("getsockname");
  return ntohs(address.sin_port);
}

void connect_loopback(SOCKET s, std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (::connect(s, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
    throw_socket_error(fmt::format("connect to 127.0.0.1:{}", port));
}

void set_nodelay(SOCKET s) {
  const BOOL one = TRUE;
  if (::setsockopt(s, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&one), sizeof one) != 0)
    throw_socket_error("setsockopt TCP_NODELAY");
}

bool readable(SOCKET s) noexcept {
  fd_set set;
  FD_ZERO(&set);
  FD_SET(s, &set);
  timeval zero{0, 0};
  return ::select(0, &set, nullptr, nullptr, &zero) != 0;
}

RecvResult recv_exact(SOCKET s, std::span<std::byte> buf) {
  std::size_t done = 0;
  while (done < buf.size()) {
    const int want = static_cast<int>(std::min<std::size_t>(buf.size() - done, 1u << 30));
    const int got = ::recv(s, reinterpret_cast<char*>(buf.data() + done), want, 0);
    if (got > 0) {
      done += static_cast<std::size_t>(got);
      continue;
    }
    if (got == 0 && done == 0) return RecvResult::eof;
    if (got == 0) throw Error(fmt::format("end of stream after {} of {} bytes", done, buf.size()));
    throw_socket_error("recv");
  }
  return RecvResult::complete;
}

void send_all(SOCKET s, std::span<const std::byte> buf) {
  std::size_t done = 0;
  while (done < buf.size()) {
    const int want = static_cast<int>(std::min<std::size_t>(buf.size() - done, 1u << 30));
    const int put = ::send(s, reinterpret_cast<const char*>(buf.data() + done), want, 0);
    if (put == SOCKET_ERROR) throw_socket_error("send");
    done += static_cast<std::size_t>(put);
  }
}

void DatagramSocketLink::send(std::span<const std::byte> ping, std::uint64_t /*seq*/) {
  if (::send(s, reinterpret_cast<const char*>(ping.data()), static_cast<int>(ping.size()), 0) !=
      static_cast<int>(ping.size()))
    throw_socket_error("send");
}

Reply DatagramSocketLink::receive(std::span<std::byte> buffer, std::uint64_t /*seq*/) {
  const int got = ::recv(s, reinterpret_cast<char*>(buffer.data()), static_cast<int>(buffer.size()), 0);
  if (got >= 0) return {buffer.first(static_cast<std::size_t>(got)), static_cast<std::size_t>(got)};
  if (::WSAGetLastError() == WSAEMSGSIZE) return {buffer, buffer.size() + 1};
  throw_socket_error("recv");
}

}  // namespace ipc::windows

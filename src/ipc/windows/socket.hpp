#pragma once
// Winsock for the Windows tcp_* and udp transports: an owned SOCKET, loopback
// sockets on ports the system chooses, whole-message I/O and the Links.
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

#include "ipc/error.hpp"
#include "ipc/round_trip_loop.hpp"
#include "ipc/windows/win32.hpp"

namespace ipc::windows {

// WSAStartup(2.2) once per process; throws ipc::Error if it fails.
void ensure_winsock();

class UniqueSocket {
 public:
  UniqueSocket() noexcept = default;
  explicit UniqueSocket(SOCKET s) noexcept : socket_(s) {}
  UniqueSocket(UniqueSocket&& other) noexcept : socket_(std::exchange(other.socket_, INVALID_SOCKET)) {}
  UniqueSocket& operator=(UniqueSocket&& other) noexcept {
    if (this != &other) reset(std::exchange(other.socket_, INVALID_SOCKET));
    return *this;
  }
  UniqueSocket(const UniqueSocket&) = delete;
  UniqueSocket& operator=(const UniqueSocket&) = delete;
  ~UniqueSocket() { reset(); }

  [[nodiscard]] SOCKET get() const noexcept { return socket_; }
  [[nodiscard]] SOCKET release() noexcept { return std::exchange(socket_, INVALID_SOCKET); }
  void reset(SOCKET s = INVALID_SOCKET) noexcept {
    if (socket_ != INVALID_SOCKET) ::closesocket(socket_);
    socket_ = s;
  }

 private:
  SOCKET socket_ = INVALID_SOCKET;
};

// A socket of `type` (SOCK_STREAM, SOCK_DGRAM) bound to 127.0.0.1, port 0
// (the system chooses): nothing outside this machine can reach it.  Not
// inheritable (WSA_FLAG_NO_HANDLE_INHERIT).
UniqueSocket loopback_socket(int type);
[[nodiscard]] std::uint16_t local_port(SOCKET s);
void connect_loopback(SOCKET s, std::uint16_t port);
void set_nodelay(SOCKET s);
// True once `s` has something to read (or an error, or end of file): select()
// with a zero timeout, for the handshake's wait.
[[nodiscard]] bool readable(SOCKET s) noexcept;

enum class RecvResult { complete, eof };
// Exactly buf.size() bytes of a stream; eof when the peer closed before the
// first byte.  Throws ipc::Error on a partial message, a reset, any failure.
RecvResult recv_exact(SOCKET s, std::span<std::byte> buf);
void send_all(SOCKET s, std::span<const std::byte> buf);

// The Link (ipc/round_trip_loop.hpp) of tcp_*: N bytes each way.
struct StreamSocketLink {
  SOCKET s;
  void send(std::span<const std::byte> ping, std::uint64_t /*seq*/) { send_all(s, ping); }
  Reply receive(std::span<std::byte> buffer, std::uint64_t /*seq*/) {
    if (recv_exact(s, buffer) == RecvResult::eof) [[unlikely]]
      throw Error("the consumer closed the connection");
    return {buffer, buffer.size()};
  }
};

// The Link of udp: one datagram each way, on a connected socket.  A pong
// longer than the buffer arrives truncated (WSAEMSGSIZE) and is reported by
// the check with its full size unknown, as one byte more than expected.
struct DatagramSocketLink {
  SOCKET s;
  void send(std::span<const std::byte> ping, std::uint64_t /*seq*/);
  Reply receive(std::span<std::byte> buffer, std::uint64_t /*seq*/);
};

}  // namespace ipc::windows

#pragma once
// IPv4 socket helpers shared by the tcp and udp transports.
#include <netinet/in.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ipc/unique_fd.hpp"

namespace ipc {

// A socket of `type` (SOCK_STREAM, SOCK_DGRAM) bound to 127.0.0.1 on a port
// the kernel chooses: nothing outside this machine can reach it.
UniqueFd bind_loopback(int type);

[[nodiscard]] std::uint16_t local_port(int fd);

// Parses "A.B.C.D:PORT"; throws ipc::Error.  Port 0 (the kernel chooses) only
// when `any_port`.
[[nodiscard]] sockaddr_in parse_endpoint(std::string_view endpoint, bool any_port = false);
[[nodiscard]] std::string to_string(const sockaddr_in& address);

void connect_to(int fd, const sockaddr_in& address);

// A socket of `type` bound to exactly `address` (the address the user gave,
// never more), SO_REUSEADDR for streams so that a restarted server can bind
// again at once.  Port 0: the kernel chooses, and the port is then bound
// explicitly (see udp.cpp: a UDP socket that disconnects loses a port it did
// not ask for by number).
UniqueFd bind_to(int type, const sockaddr_in& address);

// The address `fd` is bound to.
[[nodiscard]] sockaddr_in local_address(int fd);

// Splits "HOST:PORT" (PORT 1..65535, HOST not empty); nullopt if malformed.
struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};
[[nodiscard]] std::optional<HostPort> split_host_port(std::string_view text);

// The first IPv4 address of `host`, a name or A.B.C.D; throws ipc::Error.
[[nodiscard]] in_addr resolve_ipv4(const std::string& host);

// SO_RCVTIMEO and SO_SNDTIMEO: a blocking read, write or connect on `fd` gives
// up after `timeout` (EAGAIN, EINPROGRESS for connect); 0 waits for ever.
void set_io_timeout(int fd, std::chrono::milliseconds timeout);

}  // namespace ipc

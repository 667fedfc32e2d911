#pragma once
// IPv4 socket helpers shared by the tcp and udp transports.
#include <netinet/in.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "ipc/unique_fd.hpp"

namespace ipc {

// A socket of `type` (SOCK_STREAM, SOCK_DGRAM) bound to 127.0.0.1 on a port
// the kernel chooses: nothing outside this machine can reach it.
UniqueFd bind_loopback(int type);

[[nodiscard]] std::uint16_t local_port(int fd);

// Parses "A.B.C.D:PORT"; throws ipc::Error.
[[nodiscard]] sockaddr_in parse_endpoint(std::string_view endpoint);
[[nodiscard]] std::string to_string(const sockaddr_in& address);

void connect_to(int fd, const sockaddr_in& address);

}  // namespace ipc

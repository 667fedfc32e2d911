#pragma once
// udp on Windows: two connected loopback Winsock datagram sockets, under the
// Linux name and wire protocol (docs/protocol.md); the Linux side's API is
// udp.hpp.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "ipc/runner.hpp"

namespace ipc::transport::udp {

// The largest UDP payload over IPv4: 65535 - 20 (IP header) - 8 (UDP header).
inline constexpr std::size_t kMaxPayload = 65507;

// Spawns the consumer and completes the handshake.  Throws ipc::Error otherwise.
std::unique_ptr<Runner> start(const RunnerOptions& options);
// The consumer side: its socket is connected to 127.0.0.1:`port`; echoes
// datagrams until an empty one (the stop) arrives and returns the exit code.
// Throws ipc::Error on a failed call or a protocol violation.
int serve(std::uint16_t port, std::size_t payload);

}  // namespace ipc::transport::udp

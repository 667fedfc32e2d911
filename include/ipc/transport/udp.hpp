#pragma once
// udp: two connected loopback UDP sockets, one datagram per ping and per pong.
#include <cstddef>
#include <memory>
#include <string_view>

#include "ipc/runner.hpp"

namespace ipc::udp_transport {

// The largest UDP payload over IPv4: 65535 - 20 (IP header) - 8 (UDP header).
inline constexpr std::size_t kMaxPayload = 65507;

std::unique_ptr<Runner> start(const RunnerOptions& options);
// The consumer side: sends READY to `endpoint`, then echoes datagrams until an
// empty one arrives.
int serve(std::string_view endpoint, std::size_t payload);

}  // namespace ipc::udp_transport

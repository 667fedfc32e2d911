#pragma once
// tcp_nodelay and tcp_nagle on Windows: one loopback Winsock connection,
// under the Linux names and wire protocol (docs/protocol.md); the Linux
// side's API is tcp.hpp.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "ipc/runner.hpp"

namespace ipc::transport::tcp {

// Streams have no limit of their own: the same ceiling as on Linux.
inline constexpr std::size_t kMaxPayload = 16 * 1024 * 1024;

// Spawn the consumer and complete the handshake.  Throw ipc::Error otherwise.
std::unique_ptr<Runner> start_nodelay(const RunnerOptions& options);
std::unique_ptr<Runner> start_nagle(const RunnerOptions& options);
// The consumer side: connects to 127.0.0.1:`port` and echoes `payload`-byte
// pings until EOF; returns the exit code.  Throws ipc::Error on a failed call
// or a protocol violation.
int serve(std::uint16_t port, std::size_t payload, bool nodelay);

}  // namespace ipc::transport::tcp

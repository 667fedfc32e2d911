#pragma once
// The transports of the Windows build, the counterparts of the Linux ones of
// the same name (same benchmark names, same wire protocol, docs/protocol.md),
// and their consumers' sides.  pipe, shm_spin and shm_yield are the portable
// ones of ipc/transport/pipe.hpp and shm_spin.hpp.  Each start() spawns the consumer and
// completes the handshake (throws ipc::Error otherwise); each serve() runs
// in the consumer and returns its exit code, throwing ipc::Error on a failed
// call or a protocol violation.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "ipc/runner.hpp"

namespace ipc::windows {

// Streams and shared memory: the same ceiling as on Linux.
inline constexpr std::size_t kLargeMax = 16 * 1024 * 1024;
// The largest UDP payload over IPv4: 65535 - 20 (IP) - 8 (UDP) bytes.
inline constexpr std::size_t kMaxDatagram = 65507;

// tcp_nodelay, tcp_nagle: one loopback Winsock connection; the consumer
// connects to 127.0.0.1:`port`.
std::unique_ptr<Runner> start_tcp_nodelay(const RunnerOptions& options);
std::unique_ptr<Runner> start_tcp_nagle(const RunnerOptions& options);
int serve_tcp(std::uint16_t port, std::size_t payload, bool nodelay);

// udp: two connected loopback datagram sockets; the consumer's is connected
// to 127.0.0.1:`port`.  A zero-length datagram is the stop.
std::unique_ptr<Runner> start_udp(const RunnerOptions& options);
int serve_udp(std::uint16_t port, std::size_t payload);

// shm_event: the shm_spin segment layout (ipc/shm_channel.hpp) in a paging
// file mapping, each side asleep in WaitForSingleObject on an auto-reset
// event that the other side sets after publishing (SetEvent).  The events
// are inherited; the consumer gets their handle values.
std::unique_ptr<Runner> start_shm_event(const RunnerOptions& options);
int serve_shm_event(const std::string& name, std::uintptr_t ping_event, std::uintptr_t pong_event,
                    std::size_t payload);

}  // namespace ipc::windows

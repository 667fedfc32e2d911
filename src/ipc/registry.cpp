#include "ipc/registry.hpp"

#include <array>

#include "ipc/transport/pipe.hpp"
#include "ipc/transport/shm_spin.hpp"
#include "ipc/transport/tcp.hpp"
#include "ipc/transport/udp.hpp"

namespace ipc {
namespace {

constexpr std::size_t kMiB = 1024 * 1024;
// Stream transports and shared memory have no limit of their own; 16 MiB
// keeps a round trip's buffers well inside memory.
constexpr std::size_t kLargeMax = 16 * kMiB;

constexpr std::array kTransports{
    Transport{"pipe", "the consumer's stdin and stdout (two anonymous pipes)", "pipe_consumer", kLargeMax, false,
              &pipe_transport::start},
    Transport{"tcp_nodelay", "loopback TCP, TCP_NODELAY set on both ends", "tcp_consumer", kLargeMax, false,
              &tcp_transport::start_nodelay, &tcp_transport::remote_nodelay},
    Transport{"tcp_nagle", "loopback TCP, Nagle's algorithm left on", "tcp_consumer", kLargeMax, false,
              &tcp_transport::start_nagle, &tcp_transport::remote_nagle},
    Transport{"udp", "loopback UDP, two connected sockets, one datagram per message", "udp_consumer",
              udp_transport::kMaxPayload, false, &udp_transport::start, &udp_transport::remote},
    Transport{"shm_spin", "POSIX shared memory, both sides busy-wait on a sequence counter", "shm_consumer",
              kLargeMax, true, &shm_spin::start},
};

}  // namespace

std::span<const Transport> transports() noexcept { return kTransports; }

const Transport* find_transport(std::string_view name) noexcept {
  for (const Transport& t : kTransports)
    if (t.name == name) return &t;
  return nullptr;
}

}  // namespace ipc

// The transports of the Windows build (the Linux build's: linux/transports.cpp).
// Same names as on Linux, so that results of both compare; a Linux
// mechanism without a Windows counterpart is not listed.
#include <array>

#include "ipc/registry.hpp"
#include "ipc/transport/pipe/pipe.hpp"
#include "ipc/transport/shm_spin/shm_spin.hpp"
#include "ipc/transport/shm_event/shm_event.hpp"
#include "ipc/transport/tcp/windows.hpp"
#include "ipc/transport/udp/windows.hpp"

namespace ipc {
namespace {

// Streams and shared memory have no limit of their own; 16 MiB keeps a round
// trip's buffers well inside memory.
constexpr std::size_t kLargeMax = 16 * 1024 * 1024;

constexpr std::array kTransports{
    Transport{"pipe", "the consumer's stdin and stdout (two anonymous pipes, CreatePipe)", "pipe_consumer", kLargeMax,
              false, &transport::pipe::start},
    Transport{"tcp_nodelay", "loopback TCP (Winsock), TCP_NODELAY set on both ends", "tcp_consumer", kLargeMax, false,
              &transport::tcp::start_nodelay},
    Transport{"tcp_nagle", "loopback TCP (Winsock), Nagle's algorithm left on", "tcp_consumer", kLargeMax, false,
              &transport::tcp::start_nagle},
    Transport{"udp", "loopback UDP (Winsock), two connected sockets, one datagram per message", "udp_consumer",
              transport::udp::kMaxPayload, false, &transport::udp::start},
    Transport{"shm_spin", "a paging-file mapping, both sides busy-wait on a sequence counter", "shm_consumer",
              kLargeMax, true, &transport::shm_spin::start},
    Transport{"shm_yield", "a paging-file mapping, both sides poll the sequence counter, yielding between polls",
              "shm_consumer", kLargeMax, false, &transport::shm_spin::start_yield},
    Transport{"shm_event", "a paging-file mapping for the payload, an auto-reset event to wake each side",
              "shm_event_consumer", kLargeMax, false, &transport::shm_event::start},
};

}  // namespace

std::span<const Transport> transports() noexcept { return kTransports; }

}  // namespace ipc

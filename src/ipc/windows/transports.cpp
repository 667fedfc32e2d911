// The transports of the Windows build (the Linux build's: transports_linux.cpp).
// Same names as on Linux, so that results of both compare; a Linux
// mechanism without a Windows counterpart is not listed.
#include <array>

#include "ipc/registry.hpp"
#include "ipc/transport/pipe.hpp"
#include "ipc/transport/shm_spin.hpp"
#include "ipc/windows/transports.hpp"

namespace ipc {
namespace {

using windows::kLargeMax;

constexpr std::array kTransports{
    Transport{"pipe", "the consumer's stdin and stdout (two anonymous pipes, CreatePipe)", "pipe_consumer", kLargeMax,
              false, &pipe_transport::start},
    Transport{"tcp_nodelay", "loopback TCP (Winsock), TCP_NODELAY set on both ends", "tcp_consumer", kLargeMax, false,
              &windows::start_tcp_nodelay},
    Transport{"tcp_nagle", "loopback TCP (Winsock), Nagle's algorithm left on", "tcp_consumer", kLargeMax, false,
              &windows::start_tcp_nagle},
    Transport{"udp", "loopback UDP (Winsock), two connected sockets, one datagram per message", "udp_consumer",
              windows::kMaxDatagram, false, &windows::start_udp},
    Transport{"shm_spin", "a paging-file mapping, both sides busy-wait on a sequence counter", "shm_consumer",
              kLargeMax, true, &shm_spin::start},
    Transport{"shm_yield", "a paging-file mapping, both sides poll the sequence counter, yielding between polls",
              "shm_consumer", kLargeMax, false, &shm_spin::start_yield},
    Transport{"shm_event", "a paging-file mapping for the payload, an auto-reset event to wake each side",
              "shm_event_consumer", kLargeMax, false, &windows::start_shm_event},
};

}  // namespace

std::span<const Transport> transports() noexcept { return kTransports; }

}  // namespace ipc

// The transports of the Linux build (the Windows build's: windows/transports.cpp).
#include <array>

#include "ipc/registry.hpp"
#include "ipc/transport/boost_interprocess/boost_interprocess.hpp"
#include "ipc/transport/cyclonedds/cyclonedds.hpp"
#include "ipc/transport/dbus/dbus.hpp"
#include "ipc/transport/eventfd/eventfd.hpp"
#include "ipc/transport/fifo/fifo.hpp"
#include "ipc/transport/grpc/grpc.hpp"
#include "ipc/transport/iceoryx/iceoryx.hpp"
#include "ipc/transport/iceoryx/roudi.hpp"
#include "ipc/transport/mmap_file/mmap_file.hpp"
#include "ipc/transport/nng/nng.hpp"
#include "ipc/transport/pipe/pipe.hpp"
#include "ipc/transport/posix_mq/posix_mq.hpp"
#include "ipc/transport/shm_futex/shm_futex.hpp"
#include "ipc/transport/shm_sem/shm_sem.hpp"
#include "ipc/transport/shm_spin/shm_spin.hpp"
#include "ipc/transport/sysv_mq/sysv_mq.hpp"
#include "ipc/transport/tcp/tcp.hpp"
#include "ipc/transport/udp/udp.hpp"
#include "ipc/transport/unix_socket/unix_socket.hpp"
#include "ipc/transport/uring_msg_ring/uring_msg_ring.hpp"
#include "ipc/transport/uring_unix/uring_unix.hpp"
#include "ipc/transport/zmq/zmq.hpp"

namespace ipc {
namespace {

constexpr std::size_t kMiB = 1024 * 1024;
// Stream transports and shared memory have no limit of their own; 16 MiB
// keeps a round trip's buffers well inside memory.
constexpr std::size_t kLargeMax = 16 * kMiB;

constexpr std::array kTransports{
    Transport{"pipe", "the consumer's stdin and stdout (two anonymous pipes)", "pipe_consumer", kLargeMax, false,
              &transport::pipe::start, nullptr, nullptr, nullptr, nullptr, "a pair of pipes per receiver, one write each",
              &transport::pipe::start_fanout},
    Transport{"tcp_nodelay", "loopback TCP, TCP_NODELAY set on both ends", "tcp_consumer", kLargeMax, false,
              &transport::tcp::start_nodelay, nullptr, &transport::tcp::remote_nodelay},
    Transport{"tcp_nagle", "loopback TCP, Nagle's algorithm left on", "tcp_consumer", kLargeMax, false,
              &transport::tcp::start_nagle, nullptr, &transport::tcp::remote_nagle},
    Transport{"udp", "loopback UDP, two connected sockets, one datagram per message", "udp_consumer",
              transport::udp::kMaxPayload, false, &transport::udp::start, nullptr, &transport::udp::remote, nullptr, nullptr,
              "a socket pair per receiver, one datagram each", &transport::udp::start_fanout},
    Transport{"shm_spin", "POSIX shared memory, both sides busy-wait on a sequence counter", "shm_consumer",
              kLargeMax, true, &transport::shm_spin::start, nullptr, nullptr, nullptr, nullptr,
              "one segment: one write of the ping read by every spinner, a cache-line pair per answer",
              &transport::shm_spin::start_fanout},
    Transport{"shm_yield", "POSIX shared memory, both sides poll the sequence counter, sched_yield() between polls",
              "shm_consumer", kLargeMax, false, &transport::shm_spin::start_yield},
    Transport{"eventfd", "POSIX shared memory for the payload, a pair of eventfds to wake each side",
              "eventfd_consumer", kLargeMax, false, &transport::eventfd::start, nullptr, nullptr, nullptr, nullptr,
              "a segment and a pair of eventfds per receiver, one write and one signal each",
              &transport::eventfd::start_fanout},
    Transport{"shm_futex", "POSIX shared memory, both sides sleep on a futex on the sequence word",
              "shm_futex_consumer", kLargeMax, false, &transport::shm_futex::start, nullptr, nullptr, nullptr, nullptr,
              "one segment: one FUTEX_WAKE of every waiter per ping, a slot per answer, the last answer wakes us",
              &transport::shm_futex::start_fanout},
    Transport{"shm_hybrid", "POSIX shared memory, both sides spin up to 5 us, then sleep on a futex (eventcount)",
              "shm_futex_consumer", kLargeMax, false, &transport::shm_futex::start_hybrid},
    Transport{"shm_sem", "POSIX shared memory, two process-shared POSIX semaphores (sem_post, sem_wait)",
              "shm_sem_consumer", kLargeMax, false, &transport::shm_sem::start},
    Transport{"mmap_file", "a regular file mapped shared, both sides busy-wait on a sequence counter",
              "mmap_file_consumer", kLargeMax, true, &transport::mmap_file::start},
    Transport{"zmq_ipc", "ZeroMQ PAIR sockets over ipc:// (a unix socket in a private directory)", "zmq_consumer",
              kLargeMax, false, &transport::zmq::start_ipc},
    Transport{"zmq_tcp", "ZeroMQ PAIR sockets over tcp://127.0.0.1", "zmq_consumer", kLargeMax, false,
              &transport::zmq::start_tcp},
    Transport{"nng_ipc", "nng pair1 sockets over ipc:// (a unix socket in a private directory)", "nng_consumer",
              kLargeMax, false, &transport::nng::start_ipc},
    Transport{"nng_tcp", "nng pair1 sockets over tcp://127.0.0.1", "nng_consumer", kLargeMax, false,
              &transport::nng::start_tcp},
    Transport{"unix_stream", "Unix domain stream socket (a socket file in a private directory)", "unix_consumer",
              kLargeMax, false, &transport::unix_socket::start_stream},
    Transport{"unix_dgram", "Unix domain datagram sockets, connected, one datagram per message", "unix_consumer",
              transport::unix_socket::kMaxMessage, false, &transport::unix_socket::start_dgram, nullptr, nullptr,
              nullptr, nullptr, "a socket pair per receiver, one datagram each", &transport::unix_socket::start_dgram_fanout},
    Transport{"unix_seqpacket", "Unix domain seqpacket socket, one message per ping and per pong", "unix_consumer",
              transport::unix_socket::kMaxMessage, false, &transport::unix_socket::start_seqpacket},
    Transport{"fifo", "two named pipes (mkfifo) in a private directory", "fifo_consumer", kLargeMax, false,
              &transport::fifo::start},
    Transport{"posix_mq", "two POSIX message queues, payload limited by fs.mqueue.msgsize_max", "mq_consumer",
              transport::posix_mq::kMaxPayload, false, &transport::posix_mq::start, &transport::posix_mq::system_limit},
    Transport{"sysv_mq", "a System V message queue, pings and pongs told apart by mtype, limited by kernel.msgmax",
              "sysv_mq_consumer", transport::sysv_mq::kMaxPayload, false, &transport::sysv_mq::start, &transport::sysv_mq::system_limit, nullptr,
              &transport::sysv_mq::unavailable},
    Transport{"uring_unix", "Unix stream socket pair through io_uring, send and receive in one io_uring_enter",
              "uring_unix_consumer", kLargeMax, false, &transport::uring_unix::start, nullptr, nullptr, &transport::uring_unix::unavailable},
    Transport{"uring_msg_ring", "POSIX shared memory, each side posts a completion into the other's io_uring",
              "uring_msg_ring_consumer", kLargeMax, false, &transport::uring_msg_ring::start, nullptr, nullptr,
              &transport::uring_msg_ring::unavailable},
    Transport{"dbus", "D-Bus method call and reply through a private dbus-daemon ($IPC_BENCH_DBUS_ADDRESS: another)",
              "dbus_consumer", kLargeMax, false, &transport::dbus::start, nullptr, nullptr, &transport::dbus::unavailable},
    Transport{"boost_mq", "two Boost.Interprocess message_queues, each side asleep in receive() (its condition)",
              "boost_consumer", kLargeMax, false, &transport::boost_interprocess::start_mq, nullptr, nullptr,
              &transport::boost_interprocess::unavailable},
    Transport{"boost_cond", "Boost.Interprocess managed_shared_memory, each side asleep on an interprocess_condition",
              "boost_consumer", kLargeMax, false, &transport::boost_interprocess::start_cond, nullptr, nullptr,
              &transport::boost_interprocess::unavailable},
    Transport{"grpc_unix", "gRPC unary call over a unix: socket; the round trip includes gRPC's threads and HTTP/2 "
              "framing, CPU per side counts every thread; the client blocks in the call, the server on its poller",
              "grpc_consumer", transport::grpc::kMaxPayload, false, &transport::grpc::start_unix, nullptr, nullptr,
              &transport::grpc::unavailable},
    Transport{"grpc_tcp", "gRPC unary call over loopback TCP; the round trip includes gRPC's threads and HTTP/2 "
              "framing, CPU per side counts every thread; the client blocks in the call, the server on its poller",
              "grpc_consumer", transport::grpc::kMaxPayload, false, &transport::grpc::start_tcp, nullptr, nullptr,
              &transport::grpc::unavailable},
    Transport{"iceoryx", "iceoryx 2.0 zero-copy publish/subscribe through RouDi's shared memory, each side asleep on a WaitSet",
              "iceoryx_consumer", transport::iceoryx::kMaxPayload, false, &transport::iceoryx::start, nullptr, nullptr,
              &transport::iceoryx::unavailable, &transport::iceoryx::prepare},
    Transport{"iceoryx_spin", "iceoryx 2.0 zero-copy publish/subscribe, each side spinning on take()", "iceoryx_consumer",
              transport::iceoryx::kMaxPayload, true, &transport::iceoryx::start_spin, nullptr, nullptr,
              &transport::iceoryx::unavailable, &transport::iceoryx::prepare},
    Transport{"cyclonedds", "Cyclone DDS over UDP on loopback, reliable keep-last 1, each side asleep on a WaitSet",
              "cyclonedds_consumer", transport::cyclonedds::kMaxPayload, false, &transport::cyclonedds::start, nullptr,
              nullptr, &transport::cyclonedds::unavailable},
    Transport{"cyclonedds_shm", "Cyclone DDS over its shared-memory (iceoryx) path through RouDi, each side on a WaitSet",
              "cyclonedds_consumer", transport::cyclonedds::kMaxPayload, false, &transport::cyclonedds::start_shm,
              nullptr, nullptr, &transport::cyclonedds::unavailable_shm, &transport::iceoryx::prepare},
};

}  // namespace

std::span<const Transport> transports() noexcept { return kTransports; }

}  // namespace ipc

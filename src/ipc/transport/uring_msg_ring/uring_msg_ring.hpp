#pragma once
// uring_msg_ring: the payload in POSIX shared memory; each side wakes the
// other by posting a completion into the other's io_uring
// (IORING_OP_MSG_RING) and sleeps in its own.
#include <cstddef>
#include <memory>
#include <string>

#include "ipc/runner.hpp"

namespace ipc::transport::uring_msg_ring {

// The descriptor numbers the consumer finds under.
inline constexpr int kProducerRingFd = 3;  // the producer's ring, where pongs are posted
inline constexpr int kSocketFd = 4;        // a Unix socket to the producer: its ring's parameters, then READY
inline constexpr int kConsumerRingFd = 5;  // the consumer's ring, set up by the producer, where pings are posted

std::unique_ptr<Runner> start(const RunnerOptions& options);
// Why IORING_OP_MSG_RING cannot run here (one line), or empty.  Never throws.
std::string unavailable();
// The consumer side: maps segment `name` and ring `ring_fd` (its parameters
// come first on `socket_fd`), sends READY on `socket_fd`, then answers every
// ping posted into its ring with a pong posted into `producer_ring_fd`,
// until the stop value.  Throws ipc::Error.
int serve(const std::string& name, int ring_fd, int producer_ring_fd, int socket_fd, std::size_t payload);

}  // namespace ipc::transport::uring_msg_ring

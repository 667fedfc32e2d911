#pragma once
// eventfd: the payload in POSIX shared memory, a pair of eventfds (one per
// direction) to wake the side that waits.
#include <cstddef>
#include <memory>
#include <string>

#include "ipc/fanout.hpp"
#include "ipc/runner.hpp"

namespace ipc::transport::eventfd {

// The descriptor numbers the consumer finds its eventfds under.
inline constexpr int kPingFd = 3;  // the producer signals a ping, the consumer waits on it
inline constexpr int kPongFd = 4;  // the consumer signals a pong, the producer waits on it

std::unique_ptr<Runner> start(const RunnerOptions& options);
// The consumer side: maps segment `name`, waits on eventfd `ping_fd` and
// signals `pong_fd`, echoing pings until the stop value.
int serve(const std::string& name, int ping_fd, int pong_fd, std::size_t payload);
// Fan-out: a segment and a pair of eventfds per receiver, the ping written
// and signalled to each in turn; its consumer (eventfd_consumer --stamp)
// writes the delivery stamp into each pong, and throws ipc::Error for a
// payload too small to carry it.
std::unique_ptr<Fanout> start_fanout(const FanoutOptions& options);
int serve_stamped(const std::string& name, int ping_fd, int pong_fd, std::size_t payload);

}  // namespace ipc::transport::eventfd

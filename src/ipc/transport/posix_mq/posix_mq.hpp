#pragma once
// posix_mq: two POSIX message queues, one message per ping and per pong.
#include <cstddef>
#include <memory>
#include <string>

#include "ipc/registry.hpp"
#include "ipc/runner.hpp"

namespace ipc::transport::posix_mq {

// The kernel's ceiling on a message (HARD_MSGSIZEMAX, 16 MiB); the system's
// own limit, fs.mqueue.msgsize_max, is usually far lower (8192 bytes).
inline constexpr std::size_t kMaxPayload = 16 * 1024 * 1024;

// This system's limit on a payload: fs.mqueue.msgsize_max, or the
// RLIMIT_MSGQUEUE bytes the two queues are charged against.
SystemLimit system_limit(std::size_t wanted);

std::unique_ptr<Runner> start(const RunnerOptions& options);
// The consumer side: opens queue `ping` for reading and `pong` for writing,
// says READY and echoes pings until an empty message arrives.
int serve(const std::string& ping, const std::string& pong, std::size_t payload);

}  // namespace ipc::transport::posix_mq

#pragma once
// sysv_mq: one System V message queue (msgget(IPC_PRIVATE), mode 0600),
// pings and pongs told apart by their mtype.
#include <cstddef>
#include <memory>
#include <string>

#include "ipc/registry.hpp"
#include "ipc/runner.hpp"

namespace ipc::transport::sysv_mq {

// The queue's own ceiling here: msgsnd takes a size_t, but the kernel's
// limits (kernel.msgmax, 8192 bytes by default) are far lower; 16 MiB as for
// the other transports.
inline constexpr std::size_t kMaxPayload = 16 * 1024 * 1024;

// This system's limit on a payload: kernel.msgmax (the largest message) and
// kernel.msgmnb (the bytes a queue may hold), read from /proc/sys/kernel.
SystemLimit system_limit(std::size_t wanted);

// Why this system refuses System V message queues (no CONFIG_SYSVIPC, a
// seccomp filter, kernel.msgmni queues in use), found by creating and
// removing one; empty when it does not.  Never throws.
std::string unavailable();

std::unique_ptr<Runner> start(const RunnerOptions& options);
// The consumer side: serves queue `queue` (its msqid), receiving pings of
// mtype 1 and sending pongs of mtype 2, until an empty ping.
int serve(int queue, std::size_t payload);

}  // namespace ipc::transport::sysv_mq

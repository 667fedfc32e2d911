#pragma once
// shm_event (Windows only): the shm_spin segment layout (ipc/shm_channel.hpp)
// in a paging-file mapping, each side asleep in WaitForSingleObject on an
// auto-reset event that the other side sets after publishing (SetEvent).
// The events are inherited; the consumer gets their handle values.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "ipc/runner.hpp"

namespace ipc::transport::shm_event {

// Spawns the consumer and completes the handshake.  Throws ipc::Error otherwise.
std::unique_ptr<Runner> start(const RunnerOptions& options);
// The consumer side: maps segment `name` and echoes pings until the stop;
// returns the exit code.  Throws ipc::Error on a failed call or a protocol
// violation.
int serve(const std::string& name, std::uintptr_t ping_event, std::uintptr_t pong_event, std::size_t payload);

}  // namespace ipc::transport::shm_event

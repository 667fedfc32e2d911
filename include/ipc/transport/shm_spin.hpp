#pragma once
// shm_spin: POSIX shared memory, each side busy-waiting on the other's
// sequence counter.
#include <cstddef>
#include <memory>
#include <string>

#include "ipc/runner.hpp"

namespace ipc::shm_spin {

std::unique_ptr<Runner> start(const RunnerOptions& options);
// The consumer side: maps segment `name` and echoes pings until the stop value.
int serve(const std::string& name, std::size_t payload);

}  // namespace ipc::shm_spin

#pragma once
// shm_futex: POSIX shared memory, each side sleeping in FUTEX_WAIT on the
// other's sequence word until FUTEX_WAKE.
#include <cstddef>
#include <memory>
#include <string>

#include "ipc/runner.hpp"

namespace ipc::shm_futex {

std::unique_ptr<Runner> start(const RunnerOptions& options);
// The consumer side: maps segment `name` and echoes pings until the stop value.
int serve(const std::string& name, std::size_t payload);

}  // namespace ipc::shm_futex

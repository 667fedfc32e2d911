#pragma once
// shm_futex: POSIX shared memory, each side sleeping in FUTEX_WAIT on the
// other's sequence word until FUTEX_WAKE.  shm_hybrid: the same protocol,
// each side first spinning for a bounded time (5 us) when the peer waits on
// another CPU.
#include <cstddef>
#include <memory>
#include <string>

#include "ipc/runner.hpp"

namespace ipc::transport::shm_futex {

std::unique_ptr<Runner> start(const RunnerOptions& options);         // shm_futex
std::unique_ptr<Runner> start_hybrid(const RunnerOptions& options);  // shm_hybrid
// The consumer side: maps segment `name` and echoes pings until the stop
// value, spinning before each sleep when `hybrid` is set.
int serve(const std::string& name, std::size_t payload, bool hybrid);

}  // namespace ipc::transport::shm_futex

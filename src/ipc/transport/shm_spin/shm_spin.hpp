#pragma once
// shm_spin: POSIX shared memory, each side busy-waiting on the other's
// sequence counter.  shm_yield: the same, calling sched_yield() between two
// polls instead of spinning.
#include <cstddef>
#include <memory>
#include <string>

#include "ipc/runner.hpp"

namespace ipc::transport::shm_spin {

std::unique_ptr<Runner> start(const RunnerOptions& options);        // shm_spin
std::unique_ptr<Runner> start_yield(const RunnerOptions& options);  // shm_yield
// The consumer side: maps segment `name` and echoes pings until the stop
// value, yielding the CPU between two polls when `yield` is set.
int serve(const std::string& name, std::size_t payload, bool yield);

}  // namespace ipc::transport::shm_spin

#pragma once
// shm_spin: POSIX shared memory, each side busy-waiting on the other's
// sequence counter.  shm_yield: the same, calling sched_yield() between two
// polls instead of spinning.
#include <cstddef>
#include <memory>
#include <string>

#include "ipc/fanout.hpp"
#include "ipc/runner.hpp"

namespace ipc::transport::shm_spin {

std::unique_ptr<Runner> start(const RunnerOptions& options);        // shm_spin
std::unique_ptr<Runner> start_yield(const RunnerOptions& options);  // shm_yield
// The consumer side: maps segment `name` and echoes pings until the stop
// value, yielding the CPU between two polls when `yield` is set.
int serve(const std::string& name, std::size_t payload, bool yield);
// shm_spin's fan-out: one segment, one ping read by every spinner, a
// cache-line-aligned pong slot per receiver (ipc/fanout_segment.hpp).  Its
// consumer (shm_consumer --stamp --receiver I --receivers N) answers in slot
// I with the delivery stamp; throws ipc::Error for a payload too small to
// carry it or a segment set up otherwise.
std::unique_ptr<Fanout> start_fanout(const FanoutOptions& options);
int serve_fanout(const std::string& name, std::size_t payload, std::size_t receiver, std::size_t receivers);

}  // namespace ipc::transport::shm_spin

#pragma once
// shm_futex: POSIX shared memory, each side sleeping in FUTEX_WAIT on the
// other's sequence word until FUTEX_WAKE.  shm_hybrid: the same protocol,
// each side first spinning for a bounded time (5 us) when the peer waits on
// another CPU.
#include <cstddef>
#include <memory>
#include <string>

#include "ipc/fanout.hpp"
#include "ipc/runner.hpp"

namespace ipc::transport::shm_futex {

std::unique_ptr<Runner> start(const RunnerOptions& options);         // shm_futex
std::unique_ptr<Runner> start_hybrid(const RunnerOptions& options);  // shm_hybrid
// The consumer side: maps segment `name` and echoes pings until the stop
// value, spinning before each sleep when `hybrid` is set.
int serve(const std::string& name, std::size_t payload, bool hybrid);
// shm_futex's fan-out: one segment whose ping word every receiver waits on
// (one FUTEX_WAKE of N waiters), a pong slot per receiver, the producer
// asleep until the last answer.  Its consumer (shm_futex_consumer --stamp
// --receiver I --receivers N) answers in slot I with the delivery stamp;
// throws ipc::Error for a payload too small to carry it or a segment set
// up otherwise.
std::unique_ptr<Fanout> start_fanout(const FanoutOptions& options);
int serve_fanout(const std::string& name, std::size_t payload, std::size_t receiver, std::size_t receivers);

}  // namespace ipc::transport::shm_futex

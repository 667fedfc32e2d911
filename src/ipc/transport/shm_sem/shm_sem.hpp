#pragma once
// shm_sem: POSIX shared memory for the payload, two process-shared POSIX
// semaphores in it (sem_init with pshared = 1) to wake each side: sem_post
// and sem_wait, what most C and C++ code reaches for.
#include <cstddef>
#include <memory>
#include <string>

#include "ipc/runner.hpp"

namespace ipc::transport::shm_sem {

std::unique_ptr<Runner> start(const RunnerOptions& options);
// The consumer side: maps segment `name`, waits on its ping semaphore and
// posts its pong semaphore, echoing pings until the stop value.
int serve(const std::string& name, std::size_t payload);

}  // namespace ipc::transport::shm_sem

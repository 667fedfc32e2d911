#pragma once
// fifo: two named pipes (mkfifo) in a private directory (mode 0700), removed
// as soon as both sides have them open.
#include <cstddef>
#include <memory>
#include <string>

#include "ipc/runner.hpp"

namespace ipc::transport::fifo {

std::unique_ptr<Runner> start(const RunnerOptions& options);
// The consumer side: opens `directory`/ping for reading and `directory`/pong
// for writing, says READY and echoes pings until EOF.
int serve(const std::string& directory, std::size_t payload);

}  // namespace ipc::transport::fifo

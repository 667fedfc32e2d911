#pragma once
// pipe: the consumer's stdin and stdout, as in the original experiment.
#include <cstddef>
#include <memory>

#include "ipc/runner.hpp"

namespace ipc::pipe_transport {

std::unique_ptr<Runner> start(const RunnerOptions& options);
// The consumer side: echoes `payload`-byte pings from `in` to `out` (stdin
// and stdout in pipe_consumer) until EOF.
int serve(std::size_t payload, int in = 0, int out = 1);

}  // namespace ipc::pipe_transport

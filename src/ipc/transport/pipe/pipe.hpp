#pragma once
// pipe: the consumer's stdin and stdout, as in the original experiment.
#include <cstddef>
#include <memory>

#include "ipc/native_handle.hpp"
#include "ipc/runner.hpp"

namespace ipc::transport::pipe {

std::unique_ptr<Runner> start(const RunnerOptions& options);
// The consumer side: echoes `payload`-byte pings from `in` to `out` (by
// default standard input and output) until end of file.
int serve(std::size_t payload);
int serve(std::size_t payload, NativeHandle in, NativeHandle out);

}  // namespace ipc::transport::pipe

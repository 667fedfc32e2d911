#pragma once
// pipe: the consumer's stdin and stdout, as in the original experiment.
#include <cstddef>
#include <memory>

#include "ipc/fanout.hpp"
#include "ipc/native_handle.hpp"
#include "ipc/runner.hpp"

namespace ipc::transport::pipe {

std::unique_ptr<Runner> start(const RunnerOptions& options);
// Fan-out: a pair of pipes per receiver, the ping written into each in turn.
std::unique_ptr<Fanout> start_fanout(const FanoutOptions& options);
// The consumer side: echoes `payload`-byte pings from `in` to `out` (by
// default standard input and output) until end of file.
int serve(std::size_t payload);
int serve(std::size_t payload, NativeHandle in, NativeHandle out);
// The consumer side of a fan-out (pipe_consumer --stamp): as serve(), with
// the delivery stamp (ipc/fanout.hpp) written into each pong.  Throws
// ipc::Error for a payload too small to carry it.
int serve_stamped(std::size_t payload);

}  // namespace ipc::transport::pipe

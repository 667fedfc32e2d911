#pragma once
// zmq_ipc and zmq_tcp: a pair of ZeroMQ PAIR sockets, over ipc:// (a
// unix-domain socket in a private temporary directory) or over
// tcp://127.0.0.1 on a port the kernel chooses.
#include <cstddef>
#include <memory>
#include <string>

#include "ipc/runner.hpp"

namespace ipc::transport::zmq {

std::unique_ptr<Runner> start_ipc(const RunnerOptions& options);
std::unique_ptr<Runner> start_tcp(const RunnerOptions& options);
// The consumer side: connects a PAIR socket to `endpoint` (ipc://... or
// tcp://...), sends READY and echoes messages until an empty one arrives.
int serve(const std::string& endpoint, std::size_t payload);

}  // namespace ipc::transport::zmq

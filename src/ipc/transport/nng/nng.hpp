#pragma once
// nng_ipc and nng_tcp: a pair of nng pair1 sockets, over ipc:// (a
// unix-domain socket in a private temporary directory) or over
// tcp://127.0.0.1 on a port the kernel chooses.
#include <cstddef>
#include <memory>
#include <string>

#include "ipc/runner.hpp"

namespace ipc::transport::nng {

std::unique_ptr<Runner> start_ipc(const RunnerOptions& options);
std::unique_ptr<Runner> start_tcp(const RunnerOptions& options);
// The consumer side: dials a pair1 socket to `url` (ipc://... or tcp://...),
// sends READY and echoes messages until an empty one arrives.  Throws
// ipc::Error when the dial or a transfer fails.
int serve(const std::string& url, std::size_t payload);

}  // namespace ipc::transport::nng

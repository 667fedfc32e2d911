#pragma once
// tcp_nodelay and tcp_nagle: one loopback TCP connection, with TCP_NODELAY on
// both ends or with Nagle's algorithm left on.
#include <cstddef>
#include <memory>
#include <string_view>

#include "ipc/runner.hpp"

namespace ipc::tcp_transport {

std::unique_ptr<Runner> start_nodelay(const RunnerOptions& options);
std::unique_ptr<Runner> start_nagle(const RunnerOptions& options);
// The consumer side: connects to `endpoint` and echoes pings until EOF.
int serve(std::string_view endpoint, std::size_t payload, bool nodelay);

}  // namespace ipc::tcp_transport

#pragma once
// tcp_nodelay and tcp_nagle: one loopback TCP connection, with TCP_NODELAY on
// both ends or with Nagle's algorithm left on.
#include <cstddef>
#include <memory>
#include <string_view>

#include "ipc/remote.hpp"
#include "ipc/runner.hpp"

namespace ipc::transport::tcp {

// Stream transports have no limit of their own; 16 MiB keeps a round trip's
// buffers well inside memory.
inline constexpr std::size_t kMaxPayload = 16 * 1024 * 1024;

std::unique_ptr<Runner> start_nodelay(const RunnerOptions& options);
std::unique_ptr<Runner> start_nagle(const RunnerOptions& options);
// The consumer side: connects to `endpoint` and echoes pings until EOF.
int serve(std::string_view endpoint, std::size_t payload, bool nodelay);

// Against a consumer started by hand (ipc_bench --remote).
std::unique_ptr<Runner> remote_nodelay(const RemoteOptions& options);
std::unique_ptr<Runner> remote_nagle(const RemoteOptions& options);
// That consumer (tcp_consumer --listen): serves one run after another, each
// after a hello with the right token, until killed.  Throws ipc::Error only
// if it cannot listen at all.
int serve_listen(const ListenOptions& listen);

}  // namespace ipc::transport::tcp

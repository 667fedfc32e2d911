#pragma once
// grpc_unix and grpc_tcp: a unary RPC, bytes in and the same bytes out,
// through gRPC's synchronous C++ API, over a unix: socket in a private
// directory or over 127.0.0.1.  The producer is the client, the consumer
// the server.  Built without gRPC, start() throws and unavailable() says so.
#include <cstddef>
#include <memory>
#include <string>

#include "ipc/runner.hpp"

namespace ipc::transport::grpc {

// The largest payload: gRPC's own default limit (4 MiB) is raised on both
// ends to what this carries.
inline constexpr std::size_t kMaxPayload = 16 * 1024 * 1024;

std::unique_ptr<Runner> start_unix(const RunnerOptions& options);  // grpc_unix
std::unique_ptr<Runner> start_tcp(const RunnerOptions& options);   // grpc_tcp
// Why these transports cannot run: "built without gRPC ..." in a build that
// lacks it; empty otherwise.  Never throws.
std::string unavailable();

// The consumer side: serves Echo on `address` (unix:PATH, or 127.0.0.1:0
// for a port the kernel picks), then writes its READY line (the port first
// for TCP) to descriptor `ready_fd` and closes it, and serves until the
// producer's Stop.  Throws ipc::Error.
int serve(const std::string& address, int ready_fd, std::size_t payload);

}  // namespace ipc::transport::grpc

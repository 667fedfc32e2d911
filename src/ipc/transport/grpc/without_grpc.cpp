// grpc_unix and grpc_tcp in a build without gRPC: registered, refused in one line.
#include "ipc/error.hpp"
#include "ipc/transport/grpc/grpc.hpp"

namespace ipc::transport::grpc {

std::string unavailable() {
  return "built without gRPC (Debian: apt-get install libgrpc++-dev protobuf-compiler-grpc, then rebuild)";
}

std::unique_ptr<Runner> start_unix(const RunnerOptions& /*options*/) { throw Error(unavailable()); }
std::unique_ptr<Runner> start_tcp(const RunnerOptions& /*options*/) { throw Error(unavailable()); }
int serve(const std::string& /*address*/, int /*ready_fd*/, std::size_t /*payload*/) { throw Error(unavailable()); }

}  // namespace ipc::transport::grpc

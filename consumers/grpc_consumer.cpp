// grpc_consumer: serves the Echo RPC for the producer's gRPC channel and
// says READY once it listens (docs/protocol.md).
#include "consumer_cli.hpp"
#include "ipc/transport/grpc/grpc.hpp"

int main(int argc, char** argv) {
  ipc::ConsumerCli cli("grpc_consumer", "ipc_bench consumer for the grpc_unix and grpc_tcp transports");
  std::string address;
  int ready_fd = -1;
  cli.app()
      .add_option("--address", address, "where the server listens: unix:PATH, or 127.0.0.1:0 (a port the kernel picks)")
      ->required();
  cli.app().add_option("--ready-fd", ready_fd, "descriptor to write READY to, then close")->required()->check(
      CLI::NonNegativeNumber);
  return cli.run(argc, argv, [&](std::size_t payload) { return ipc::transport::grpc::serve(address, ready_fd, payload); });
}

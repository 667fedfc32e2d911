// uring_unix_consumer: echoes messages on an inherited Unix stream socket
// through io_uring (docs/protocol.md).
#include "consumer_cli.hpp"
#include "ipc/transport/uring_unix/uring_unix.hpp"

int main(int argc, char** argv) {
  ipc::ConsumerCli cli("uring_unix_consumer", "ipc_bench consumer for the uring_unix transport");
  int socket_fd = -1;
  cli.app()
      .add_option("--socket-fd", socket_fd, "inherited Unix stream socket connected to the producer")
      ->required()
      ->check(CLI::NonNegativeNumber);
  return cli.run(argc, argv, [&](std::size_t payload) { return ipc::transport::uring_unix::serve(socket_fd, payload); });
}

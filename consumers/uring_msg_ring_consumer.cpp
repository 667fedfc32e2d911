// uring_msg_ring_consumer: maps the producer's segment, sleeps in its own
// io_uring and posts pongs into the producer's (docs/protocol.md).
#include "consumer_cli.hpp"
#include "ipc/transport/uring_msg_ring/uring_msg_ring.hpp"

int main(int argc, char** argv) {
  ipc::ConsumerCli cli("uring_msg_ring_consumer", "ipc_bench consumer for the uring_msg_ring transport");
  std::string name;
  int ring_fd = -1;
  int producer_ring_fd = -1;
  int socket_fd = -1;
  cli.app().add_option("--name", name, "shared-memory object created by the producer")->required();
  cli.app()
      .add_option("--ring-fd", ring_fd, "inherited io_uring set up for this consumer, where pings are posted")
      ->required()
      ->check(CLI::NonNegativeNumber);
  cli.app()
      .add_option("--producer-ring-fd", producer_ring_fd, "inherited io_uring of the producer, where pongs are posted")
      ->required()
      ->check(CLI::NonNegativeNumber);
  cli.app()
      .add_option("--socket-fd", socket_fd, "inherited Unix socket to the producer: the ring's parameters, then READY")
      ->required()
      ->check(CLI::NonNegativeNumber);
  return cli.run(argc, argv, [&](std::size_t payload) {
    return ipc::transport::uring_msg_ring::serve(name, ring_fd, producer_ring_fd, socket_fd, payload);
  });
}

// eventfd_consumer: maps the producer's segment, waits on one inherited
// eventfd and signals the other (docs/protocol.md).
#include "consumer_cli.hpp"
#include "ipc/transport/eventfd/eventfd.hpp"

int main(int argc, char** argv) {
  ipc::ConsumerCli cli("eventfd_consumer", "ipc_bench consumer for the eventfd transport");
  std::string name;
  int ping_fd = -1;
  int pong_fd = -1;
  cli.app().add_option("--name", name, "shared-memory object created by the producer")->required();
  cli.app()
      .add_option("--ping-fd", ping_fd, "inherited eventfd the producer signals pings on")
      ->required()
      ->check(CLI::NonNegativeNumber);
  cli.app()
      .add_option("--pong-fd", pong_fd, "inherited eventfd to signal pongs on")
      ->required()
      ->check(CLI::NonNegativeNumber);
  bool stamp = false;
  cli.app().add_flag("--stamp", stamp, "write the delivery stamp into each pong (ipc_bench --fanout)");
  return cli.run(argc, argv, [&](std::size_t payload) {
    return stamp ? ipc::transport::eventfd::serve_stamped(name, ping_fd, pong_fd, payload)
                 : ipc::transport::eventfd::serve(name, ping_fd, pong_fd, payload);
  });
}

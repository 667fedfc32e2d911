// udp_consumer: sends READY to the producer and echoes datagrams (docs/protocol.md).
#include "consumer_cli.hpp"
#include "ipc/transport/udp.hpp"

int main(int argc, char** argv) {
  ipc::ConsumerCli cli("udp_consumer", "ipc_bench consumer for the udp transport");
  std::string endpoint;
  cli.add_endpoint_option(endpoint);
  return cli.run(argc, argv, [&](std::size_t payload) { return ipc::udp_transport::serve(endpoint, payload); });
}

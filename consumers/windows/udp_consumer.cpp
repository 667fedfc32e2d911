// udp_consumer (Windows): a datagram socket connected to the producer's on
// loopback; echoes pings until an empty datagram (docs/protocol.md).
#include "../consumer_cli.hpp"
#include "ipc/transport/udp/windows.hpp"

int main(int argc, char** argv) {
  ipc::ConsumerCli cli("udp_consumer", "ipc_bench consumer for the udp transport");
  std::uint16_t port = 0;
  cli.app().add_option("--port", port, "the producer's port on 127.0.0.1")->required()->check(CLI::Range(1, 65535));
  return cli.run(argc, argv, [&](std::size_t payload) { return ipc::transport::udp::serve(port, payload); });
}

// tcp_consumer (Windows): connects to the producer on loopback and echoes
// pings (docs/protocol.md).
#include "../consumer_cli.hpp"
#include "ipc/transport/tcp/windows.hpp"

int main(int argc, char** argv) {
  ipc::ConsumerCli cli("tcp_consumer", "ipc_bench consumer for the tcp_nodelay and tcp_nagle transports");
  std::uint16_t port = 0;
  bool nodelay = false;
  cli.app().add_option("--port", port, "the producer's port on 127.0.0.1")->required()->check(CLI::Range(1, 65535));
  cli.app().add_flag("--nodelay", nodelay, "set TCP_NODELAY");
  return cli.run(argc, argv, [&](std::size_t payload) { return ipc::transport::tcp::serve(port, payload, nodelay); });
}

// tcp_consumer: connects to the producer and echoes pings (docs/protocol.md);
// or, started by hand with --listen, serves ipc_bench --remote runs.
#include "listen_cli.hpp"
#include "ipc/transport/tcp/tcp.hpp"

int main(int argc, char** argv) {
  ipc::ListenCli cli("tcp_consumer", "ipc_bench consumer for the tcp_nodelay and tcp_nagle transports");
  std::string endpoint;
  bool nodelay = false;
  cli.add_endpoint_option(endpoint);
  cli.app().add_flag("--nodelay", nodelay, "set TCP_NODELAY");
  ipc::ListenOptions listen;
  cli.add_listen_options(listen);
  return cli.run(
      argc, argv, [&](std::size_t payload) { return ipc::transport::tcp::serve(endpoint, payload, nodelay); },
      [&] { return ipc::transport::tcp::serve_listen(listen); });
}

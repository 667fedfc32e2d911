// udp_consumer: sends READY to the producer and echoes datagrams
// (docs/protocol.md); or, started by hand with --listen, serves ipc_bench
// --remote runs.
#include "listen_cli.hpp"
#include "ipc/transport/udp/udp.hpp"

int main(int argc, char** argv) {
  ipc::ListenCli cli("udp_consumer", "ipc_bench consumer for the udp transport");
  std::string endpoint;
  cli.add_endpoint_option(endpoint);
  ipc::ListenOptions listen;
  cli.add_listen_options(listen);
  bool stamp = false;
  cli.app().add_flag("--stamp", stamp, "write the delivery stamp into each pong (ipc_bench --fanout)");
  return cli.run(
      argc, argv,
      [&](std::size_t payload) {
        return stamp ? ipc::transport::udp::serve_stamped(endpoint, payload)
                     : ipc::transport::udp::serve(endpoint, payload);
      },
      [&] { return ipc::transport::udp::serve_listen(listen); });
}

// nng_consumer: dials an nng pair1 socket to the producer and echoes
// messages (docs/protocol.md).
#include "consumer_cli.hpp"
#include "ipc/transport/nng/nng.hpp"

int main(int argc, char** argv) {
  ipc::ConsumerCli cli("nng_consumer", "ipc_bench consumer for the nng_ipc and nng_tcp transports");
  std::string url;
  cli.app()
      .add_option("--url", url, "producer's nng URL, ipc://PATH or tcp://A.B.C.D:PORT")
      ->required()
      ->check([](const std::string& text) -> std::string {
        if (text.starts_with("ipc://") || text.starts_with("tcp://")) return {};
        return "'" + text + "' is not an ipc:// or tcp:// URL";
      });
  return cli.run(argc, argv, [&](std::size_t payload) { return ipc::transport::nng::serve(url, payload); });
}

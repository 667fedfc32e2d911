// zmq_consumer: connects a ZeroMQ PAIR socket to the producer and echoes
// messages (docs/protocol.md).
#include "consumer_cli.hpp"
#include "ipc/transport/zmq/zmq.hpp"

int main(int argc, char** argv) {
  ipc::ConsumerCli cli("zmq_consumer", "ipc_bench consumer for the zmq_ipc and zmq_tcp transports");
  std::string endpoint;
  cli.app()
      .add_option("--endpoint", endpoint, "producer's ZeroMQ endpoint, ipc://PATH or tcp://A.B.C.D:PORT")
      ->required()
      ->check([](const std::string& text) -> std::string {
        if (text.starts_with("ipc://") || text.starts_with("tcp://")) return {};
        return "'" + text + "' is not an ipc:// or tcp:// endpoint";
      });
  return cli.run(argc, argv, [&](std::size_t payload) { return ipc::transport::zmq::serve(endpoint, payload); });
}

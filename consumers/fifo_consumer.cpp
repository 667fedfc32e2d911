// fifo_consumer: opens the producer's two FIFOs and echoes pings (docs/protocol.md).
#include "consumer_cli.hpp"
#include "ipc/transport/fifo/fifo.hpp"

int main(int argc, char** argv) {
  ipc::ConsumerCli cli("fifo_consumer", "ipc_bench consumer for the fifo transport");
  std::string directory;
  cli.app().add_option("--dir", directory, "the directory holding the producer's FIFOs, ping and pong")->required();
  return cli.run(argc, argv, [&](std::size_t payload) { return ipc::transport::fifo::serve(directory, payload); });
}

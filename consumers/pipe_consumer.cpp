// pipe_consumer: echoes pings from stdin to stdout (docs/protocol.md).
#include "consumer_cli.hpp"
#include "ipc/transport/pipe/pipe.hpp"

int main(int argc, char** argv) {
  ipc::ConsumerCli cli("pipe_consumer", "ipc_bench consumer for the pipe transport");
  return cli.run(argc, argv, [](std::size_t payload) { return ipc::transport::pipe::serve(payload); });
}

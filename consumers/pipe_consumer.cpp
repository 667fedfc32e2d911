// pipe_consumer: echoes pings from stdin to stdout (docs/protocol.md).
#include "consumer_cli.hpp"
#include "ipc/transport/pipe/pipe.hpp"

int main(int argc, char** argv) {
  ipc::ConsumerCli cli("pipe_consumer", "ipc_bench consumer for the pipe transport");
  bool stamp = false;
  cli.app().add_flag("--stamp", stamp, "write the delivery stamp into each pong (ipc_bench --fanout)");
  return cli.run(argc, argv, [&stamp](std::size_t payload) {
    return stamp ? ipc::transport::pipe::serve_stamped(payload) : ipc::transport::pipe::serve(payload);
  });
}

// mq_consumer: opens the producer's two POSIX message queues and echoes pings
// (docs/protocol.md).
#include "consumer_cli.hpp"
#include "ipc/transport/posix_mq/posix_mq.hpp"

int main(int argc, char** argv) {
  ipc::ConsumerCli cli("mq_consumer", "ipc_bench consumer for the posix_mq transport");
  std::string ping, pong;
  cli.app().add_option("--ping", ping, "queue the pings arrive on, /NAME")->required();
  cli.app().add_option("--pong", pong, "queue to send the pongs to, /NAME")->required();
  return cli.run(argc, argv, [&](std::size_t payload) { return ipc::transport::posix_mq::serve(ping, pong, payload); });
}

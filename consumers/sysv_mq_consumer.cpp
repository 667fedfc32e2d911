// sysv_mq_consumer: serves the producer's System V message queue, pings of
// mtype 1 back as pongs of mtype 2 (docs/protocol.md).
#include "consumer_cli.hpp"
#include "ipc/transport/sysv_mq/sysv_mq.hpp"

int main(int argc, char** argv) {
  ipc::ConsumerCli cli("sysv_mq_consumer", "ipc_bench consumer for the sysv_mq transport");
  int queue = -1;
  cli.app()
      .add_option("--queue", queue, "the producer's message queue, its msqid")
      ->required()
      ->check(CLI::NonNegativeNumber);
  return cli.run(argc, argv, [&](std::size_t payload) { return ipc::transport::sysv_mq::serve(queue, payload); });
}

// boost_consumer: opens the producer's Boost.Interprocess queues (boost_mq)
// or segment (boost_cond) and echoes pings (docs/protocol.md).
#include "consumer_cli.hpp"
#include "ipc/error.hpp"
#include "ipc/transport/boost_interprocess/boost_interprocess.hpp"

int main(int argc, char** argv) {
  ipc::ConsumerCli cli("boost_consumer", "ipc_bench consumer for the boost_mq and boost_cond transports");
  std::string ping, pong, segment;
  auto* ping_option = cli.app().add_option("--ping", ping, "boost_mq: message_queue the pings arrive on");
  auto* pong_option = cli.app().add_option("--pong", pong, "boost_mq: message_queue to send the pongs to");
  auto* segment_option = cli.app().add_option("--segment", segment, "boost_cond: the managed_shared_memory segment");
  ping_option->needs(pong_option)->excludes(segment_option);
  pong_option->needs(ping_option)->excludes(segment_option);
  return cli.run(argc, argv, [&](std::size_t payload) {
    namespace bi = ipc::transport::boost_interprocess;
    if (!segment.empty()) return bi::serve_cond(segment, payload);
    if (ping.empty()) throw ipc::Error("give --ping and --pong (boost_mq) or --segment (boost_cond)");
    return bi::serve_mq(ping, pong, payload);
  });
}

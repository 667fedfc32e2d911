// cyclonedds_consumer: joins the producer's DDS domain and partition and
// answers its pings on the pong topic (docs/protocol.md).
#include "consumer_cli.hpp"
#include "ipc/transport/cyclonedds/cyclonedds.hpp"

int main(int argc, char** argv) {
  ipc::ConsumerCli cli("cyclonedds_consumer", "ipc_bench consumer for the cyclonedds and cyclonedds_shm transports");
  unsigned domain = 0;
  std::string partition;
  std::string mode;
  cli.app().add_option("--domain", domain, "the run's DDS domain id")->required()->check(CLI::Range(0u, 230u));
  cli.app().add_option("--partition", partition, "the run's partition, ipc_bench_<pid>_<n>")->required();
  cli.app().add_option("--mode", mode, "Cyclone's transport")->required()->check(CLI::IsMember({"udp", "shm"}));
  return cli.run(argc, argv, [&](std::size_t payload) {
    return ipc::transport::cyclonedds::serve(domain, partition, payload, mode == "shm");
  });
}

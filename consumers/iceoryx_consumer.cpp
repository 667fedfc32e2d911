// iceoryx_consumer: registers with RouDi and answers the producer's pings on
// its pong topic (docs/protocol.md).
#include "consumer_cli.hpp"
#include "ipc/transport/iceoryx/iceoryx.hpp"

int main(int argc, char** argv) {
  ipc::ConsumerCli cli("iceoryx_consumer", "ipc_bench consumer for the iceoryx and iceoryx_spin transports");
  std::string instance;
  std::string mode;
  cli.app().add_option("--instance", instance, "the run's topic instance, <pid>_<n>")->required();
  cli.app().add_option("--mode", mode, "how to wait for a ping")->required()->check(CLI::IsMember({"waitset", "spin"}));
  return cli.run(argc, argv, [&](std::size_t payload) {
    return ipc::transport::iceoryx::serve(instance, payload, mode == "spin");
  });
}

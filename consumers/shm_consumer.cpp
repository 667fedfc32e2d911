// shm_consumer: maps the producer's segment and echoes pings, spinning
// (shm_spin) or yielding (shm_yield, --yield) between polls (docs/protocol.md).
#include "consumer_cli.hpp"
#include "ipc/transport/shm_spin/shm_spin.hpp"

int main(int argc, char** argv) {
  ipc::ConsumerCli cli("shm_consumer", "ipc_bench consumer for the shm_spin and shm_yield transports");
  std::string name;
  bool yield = false;
  cli.app().add_option("--name", name, "shared-memory object created by the producer")->required();
  cli.app().add_flag("--yield", yield, "call sched_yield() between two polls instead of spinning (shm_yield)");
  return cli.run(argc, argv, [&](std::size_t payload) { return ipc::transport::shm_spin::serve(name, payload, yield); });
}

// shm_consumer: maps the producer's segment and echoes pings, spinning
// (shm_spin) or yielding (shm_yield, --yield) between polls (docs/protocol.md).
#include "consumer_cli.hpp"
#include "ipc/error.hpp"
#include "ipc/transport/shm_spin/shm_spin.hpp"

int main(int argc, char** argv) {
  ipc::ConsumerCli cli("shm_consumer", "ipc_bench consumer for the shm_spin and shm_yield transports");
  std::string name;
  bool yield = false;
  cli.app().add_option("--name", name, "shared-memory object created by the producer")->required();
  cli.app().add_flag("--yield", yield, "call sched_yield() between two polls instead of spinning (shm_yield)");
  bool stamp = false;
  std::size_t receiver = 0, receivers = 0;
  cli.app().add_flag("--stamp", stamp, "a receiver of a fan-out (ipc_bench --fanout): stamp each pong");
  cli.app().add_option("--receiver", receiver, "with --stamp: this receiver's slot, from 0");
  cli.app().add_option("--receivers", receivers, "with --stamp: how many receivers the segment has");
  return cli.run(argc, argv, [&](std::size_t payload) {
    if (stamp && yield) throw ipc::Error("--stamp is shm_spin's fan-out: give it without --yield");
    if (stamp) return ipc::transport::shm_spin::serve_fanout(name, payload, receiver, receivers);
    return ipc::transport::shm_spin::serve(name, payload, yield);
  });
}

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
  ipc::ConsumerCli::SegmentReceiver fan;
  cli.add_segment_receiver(fan);
  return cli.run(argc, argv, [&](std::size_t payload) {
    if (fan.stamp && yield) throw ipc::Error("--stamp is shm_spin's fan-out: give it without --yield");
    if (fan.stamp) return ipc::transport::shm_spin::serve_fanout(name, payload, fan.receiver, fan.receivers);
    return ipc::transport::shm_spin::serve(name, payload, yield);
  });
}

// shm_futex_consumer: maps the producer's segment and echoes pings, sleeping
// on a futex between them (shm_futex), after a bounded spin (shm_hybrid,
// --hybrid) (docs/protocol.md).
#include "consumer_cli.hpp"
#include "ipc/error.hpp"
#include "ipc/transport/shm_futex/shm_futex.hpp"

int main(int argc, char** argv) {
  ipc::ConsumerCli cli("shm_futex_consumer", "ipc_bench consumer for the shm_futex and shm_hybrid transports");
  std::string name;
  bool hybrid = false;
  cli.app().add_option("--name", name, "shared-memory object created by the producer")->required();
  cli.app().add_flag("--hybrid", hybrid, "spin for up to 5 us before each sleep (shm_hybrid)");
  ipc::ConsumerCli::SegmentReceiver fan;
  cli.add_segment_receiver(fan);
  return cli.run(argc, argv, [&](std::size_t payload) {
    if (fan.stamp && hybrid) throw ipc::Error("--stamp is shm_futex's fan-out: give it without --hybrid");
    if (fan.stamp) return ipc::transport::shm_futex::serve_fanout(name, payload, fan.receiver, fan.receivers);
    return ipc::transport::shm_futex::serve(name, payload, hybrid);
  });
}

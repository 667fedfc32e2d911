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
  bool stamp = false;
  std::size_t receiver = 0, receivers = 0;
  cli.app().add_flag("--stamp", stamp, "a receiver of a fan-out (ipc_bench --fanout): stamp each pong");
  cli.app().add_option("--receiver", receiver, "with --stamp: this receiver's slot, from 0");
  cli.app().add_option("--receivers", receivers, "with --stamp: how many receivers the segment has");
  return cli.run(argc, argv, [&](std::size_t payload) {
    if (stamp && hybrid) throw ipc::Error("--stamp is shm_futex's fan-out: give it without --hybrid");
    if (stamp) return ipc::transport::shm_futex::serve_fanout(name, payload, receiver, receivers);
    return ipc::transport::shm_futex::serve(name, payload, hybrid);
  });
}

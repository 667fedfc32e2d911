// shm_futex_consumer: maps the producer's segment and echoes pings, sleeping
// on a futex between them (docs/protocol.md).
#include "consumer_cli.hpp"
#include "ipc/transport/shm_futex.hpp"

int main(int argc, char** argv) {
  ipc::ConsumerCli cli("shm_futex_consumer", "ipc_bench consumer for the shm_futex transport");
  std::string name;
  cli.app().add_option("--name", name, "shared-memory object created by the producer")->required();
  return cli.run(argc, argv, [&](std::size_t payload) { return ipc::shm_futex::serve(name, payload); });
}

// shm_sem_consumer: maps the producer's segment, waits on its ping semaphore
// and posts its pong semaphore (docs/protocol.md).
#include "consumer_cli.hpp"
#include "ipc/transport/shm_sem/shm_sem.hpp"

int main(int argc, char** argv) {
  ipc::ConsumerCli cli("shm_sem_consumer", "ipc_bench consumer for the shm_sem transport");
  std::string name;
  cli.app().add_option("--name", name, "shared-memory object created by the producer")->required();
  return cli.run(argc, argv, [&](std::size_t payload) { return ipc::transport::shm_sem::serve(name, payload); });
}

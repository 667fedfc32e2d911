// shm_event_consumer (Windows): maps the producer's segment and echoes pings,
// asleep on an inherited auto-reset event between two (docs/protocol.md).
#include "../consumer_cli.hpp"
#include "ipc/transport/shm_event/shm_event.hpp"

int main(int argc, char** argv) {
  ipc::ConsumerCli cli("shm_event_consumer", "ipc_bench consumer for the shm_event transport");
  std::string name;
  std::uintptr_t ping_event = 0, pong_event = 0;
  cli.app().add_option("--name", name, "file mapping created by the producer")->required();
  cli.app().add_option("--ping-event", ping_event, "inherited event handle: a ping is published")->required();
  cli.app().add_option("--pong-event", pong_event, "inherited event handle: the pong is published")->required();
  return cli.run(argc, argv, [&](std::size_t payload) {
    return ipc::transport::shm_event::serve(name, ping_event, pong_event, payload);
  });
}

// dbus_consumer: connects to the producer's bus and answers its Ping calls
// (docs/protocol.md).
#include "consumer_cli.hpp"
#include "ipc/transport/dbus/dbus.hpp"

int main(int argc, char** argv) {
  ipc::ConsumerCli cli("dbus_consumer", "ipc_bench consumer for the dbus transport");
  std::string address;
  std::string producer;
  cli.app().add_option("--address", address, "D-Bus address of the bus, e.g. unix:path=/tmp/.../bus")->required();
  cli.app()
      .add_option("--producer", producer, "the producer's unique bus name, e.g. :1.4")
      ->required()
      ->check([](const std::string& text) -> std::string {
        if (text.starts_with(":")) return {};
        return "'" + text + "' is not a unique bus name (:N.M)";
      });
  return cli.run(argc, argv,
                 [&](std::size_t payload) { return ipc::transport::dbus::serve(address, producer, payload); });
}

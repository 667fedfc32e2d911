// unix_consumer: connects to the producer's Unix domain socket and echoes
// pings (docs/protocol.md).
#include "consumer_cli.hpp"
#include "ipc/error.hpp"
#include "ipc/transport/unix_socket/unix_socket.hpp"

int main(int argc, char** argv) {
  ipc::ConsumerCli cli("unix_consumer",
                       "ipc_bench consumer for the unix_stream, unix_dgram and unix_seqpacket transports");
  std::string path, type_text;
  cli.app().add_option("--socket", path, "the producer's socket file")->required();
  cli.app()
      .add_option("--type", type_text, "socket type: stream, dgram or seqpacket")
      ->required()
      ->check(CLI::IsMember({"stream", "dgram", "seqpacket"}));
  bool stamp = false;
  cli.app().add_flag("--stamp", stamp, "dgram: write the delivery stamp into each pong (ipc_bench --fanout)");
  return cli.run(argc, argv, [&](std::size_t payload) {
    const auto type = *ipc::transport::unix_socket::parse_type(type_text);
    if (stamp && type != ipc::transport::unix_socket::Type::dgram)
      throw ipc::Error("--stamp is for --type dgram only: unix_stream and unix_seqpacket do not fan out");
    if (stamp) return ipc::transport::unix_socket::serve_stamped_dgram(path, payload);
    return ipc::transport::unix_socket::serve(path, type, payload);
  });
}

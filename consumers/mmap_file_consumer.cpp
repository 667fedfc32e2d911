// mmap_file_consumer: maps the producer's file and echoes pings (docs/protocol.md).
#include "consumer_cli.hpp"
#include "ipc/transport/mmap_file/mmap_file.hpp"

int main(int argc, char** argv) {
  ipc::ConsumerCli cli("mmap_file_consumer", "ipc_bench consumer for the mmap_file transport");
  std::string path;
  cli.app().add_option("--path", path, "file created by the producer")->required();
  return cli.run(argc, argv, [&](std::size_t payload) { return ipc::transport::mmap_file::serve(path, payload); });
}

#include <vector>

#include "ipc/io.hpp"

namespace ipc {

void echo_stream(NativeHandle in, NativeHandle out, std::size_t payload) {
  std::vector<std::byte> buf(payload);
  while (read_exact(in, buf) == ReadResult::complete) write_all(out, buf);
}

}  // namespace ipc

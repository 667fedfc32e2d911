#include "ipc/protocol.hpp"

#include <algorithm>

#include "ipc/error.hpp"

namespace ipc {

void expect_ready(std::span<const std::byte> received) {
  const auto expected = ready_bytes();
  if (!std::ranges::equal(received, expected))
    throw Error("handshake failed: the consumer's first message was not READY");
}

}  // namespace ipc

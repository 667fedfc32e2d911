#pragma once
// Constants of the wire protocol shared by every transport (docs/protocol.md).
#include <cstddef>
#include <span>
#include <string_view>

namespace ipc {

// What a consumer sends once it is ready to serve pings.
inline constexpr std::string_view kReadyMessage = "READY\n";

inline std::span<const std::byte> ready_bytes() noexcept {
  return std::as_bytes(std::span(kReadyMessage.data(), kReadyMessage.size()));
}

// Throws ipc::Error unless `received` is exactly the ready message.
void expect_ready(std::span<const std::byte> received);

}  // namespace ipc

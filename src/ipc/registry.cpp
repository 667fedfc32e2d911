#include "ipc/registry.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ipc {

const Transport* find_transport(std::string_view name) noexcept {
  for (const Transport& t : transports())
    if (t.name == name) return &t;
  return nullptr;
}

std::size_t max_payload_here(const Transport& transport) {
  if (!transport.system_limit) return transport.max_payload;
  return std::min(transport.max_payload, transport.system_limit(transport.max_payload).max_payload);
}

std::string unavailable_here(const Transport& transport) {
  return transport.unavailable ? transport.unavailable() : std::string();
}

std::string payload_refusal(const Transport& transport, std::size_t payload) {
  if (payload > transport.max_payload)
    return fmt::format("payload {} bytes exceeds {}'s maximum of {} bytes", payload, transport.name,
                       transport.max_payload);
  if (transport.system_limit) {
    const SystemLimit limit = transport.system_limit(payload);
    if (limit.max_payload == 0) return fmt::format("{} cannot run on this system: {}", transport.name, limit.remedy);
    if (payload > limit.max_payload)
      return fmt::format("payload {} bytes exceeds {}'s maximum of {} bytes on this system: {}", payload,
                         transport.name, limit.max_payload, limit.remedy);
  }
  return {};
}

}  // namespace ipc

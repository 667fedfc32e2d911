#pragma once
// The registry of transports: --list, option validation, benchmark
// registration and the tests all read it; nothing else lists transports.
#include <cstddef>
#include <memory>
#include <span>
#include <string_view>

#include "ipc/runner.hpp"

namespace ipc {

struct Transport {
  std::string_view name;         // stable: it goes into users' JSON history
  std::string_view description;  // one line for --list
  std::string_view consumer;     // executable spawned as the consumer
  std::size_t max_payload;       // largest ping, in bytes
  bool spins;                    // busy-waits: needs a CPU of its own on each side
  std::unique_ptr<Runner> (*start)(const RunnerOptions&);
  // Runs against a consumer started by hand (ipc_bench --remote); nullptr
  // when the transport cannot cross machines.
  std::unique_ptr<Runner> (*remote)(const RemoteOptions&) = nullptr;
};

[[nodiscard]] std::span<const Transport> transports() noexcept;
[[nodiscard]] const Transport* find_transport(std::string_view name) noexcept;

}  // namespace ipc

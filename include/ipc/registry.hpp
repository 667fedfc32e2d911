#pragma once
// The registry of transports: --list, option validation, benchmark
// registration and the tests all read it; nothing else lists transports.
#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "ipc/fanout.hpp"
#include "ipc/runner.hpp"

namespace ipc {

// A limit that this system sets below a transport's own maximum (a sysctl,
// an rlimit), read when asked.
struct SystemLimit {
  std::size_t max_payload;  // the largest payload allowed here; 0: the transport cannot run here
  std::string remedy;       // what sets the limit and how to raise it
};

struct Transport {
  std::string_view name;         // stable: it goes into users' JSON history
  std::string_view description;  // one line for --list
  std::string_view consumer;     // executable spawned as the consumer
  std::size_t max_payload;       // largest ping, in bytes
  bool spins;                    // busy-waits: needs a CPU of its own on each side
  std::unique_ptr<Runner> (*start)(const RunnerOptions&);
  // Optional, for a transport whose maximum depends on the system: its
  // limit here, and how to raise it to `wanted` bytes.
  SystemLimit (*system_limit)(std::size_t wanted) = nullptr;
  // Runs against a consumer started by hand (ipc_bench --remote); nullptr
  // when the transport cannot cross machines.
  std::unique_ptr<Runner> (*remote)(const RemoteOptions&) = nullptr;
  // Optional, for a transport the kernel or the environment may refuse
  // (io_uring disabled, no dbus-daemon, ...): why it cannot run here and how
  // to enable it, in one line; empty when it can.  Never throws.
  std::string (*unavailable)() = nullptr;
  // Optional, for a transport that needs a daemon for the whole run
  // (iceoryx's RouDi): readies it for these payloads (bytes) before anything
  // is timed and returns its JSON context {key, value}, or {} when it could
  // not (its benchmarks then fail with the reason).  Never throws.
  std::pair<std::string, std::string> (*prepare)(std::span<const std::size_t> payloads,
                                                 std::chrono::milliseconds timeout) = nullptr;
  // How a ping reaches N consumers (ipc_bench --fanout), one phrase for
  // --list; empty where the transport does not fan out.
  std::string_view fanout = {};
  // Starts one producer and options.consumer_cpus.size() consumers (at
  // least 2); nullptr where the transport does not fan out.  Throws as start.
  std::unique_ptr<Fanout> (*start_fanout)(const FanoutOptions&) = nullptr;
};

[[nodiscard]] std::span<const Transport> transports() noexcept;
[[nodiscard]] const Transport* find_transport(std::string_view name) noexcept;

// The largest payload `transport` can carry on this system: max_payload, or
// less where the system sets a lower limit.
[[nodiscard]] std::size_t max_payload_here(const Transport& transport);
// Why `transport` cannot run on this system at all, in one line for the
// user; empty if it can.
[[nodiscard]] std::string unavailable_here(const Transport& transport);
// Why `transport` cannot carry `payload` on this system, in one line for the
// user; empty if it can.
[[nodiscard]] std::string payload_refusal(const Transport& transport, std::size_t payload);

}  // namespace ipc

#pragma once
// iceoryx: a publisher and a subscriber per direction through iceoryx 2.0's
// shared memory, zero-copy (loan, write, publish; take, release), each side
// asleep on a WaitSet until its sample arrives.  iceoryx_spin: the same, each
// side polling take().  Both need RouDi (ipc/transport/iceoryx/roudi.hpp).
#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include "ipc/runner.hpp"

namespace ipc::transport::iceoryx {

std::unique_ptr<Runner> start(const RunnerOptions& options);       // iceoryx
std::unique_ptr<Runner> start_spin(const RunnerOptions& options);  // iceoryx_spin
// Why neither can run here (built without iceoryx, no RouDi to be had), in
// one line, or empty.  Never throws.
std::string unavailable();
// Readies RouDi for a run of these payloads (bytes) and returns the JSON
// context {"roudi", "running (pid N)" | "private (pid N)"}, or {} when it
// could not (each benchmark then fails with the reason).  Never throws.
std::pair<std::string, std::string> prepare(std::span<const std::size_t> payloads, std::chrono::milliseconds timeout);
// The consumer side: registers with RouDi, subscribes to <instance>'s ping
// topic, publishes READY then each ping back on its pong topic, waiting on a
// WaitSet or polling (`spin`), until an empty sample.  Throws ipc::Error.
int serve(const std::string& instance, std::size_t payload, bool spin);

}  // namespace ipc::transport::iceoryx

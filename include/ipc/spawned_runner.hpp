#pragma once
// SpawnedRunner: the Runner skeleton, written once, of every transport whose
// consumer ipc_bench spawns.  A transport supplies only its Mechanism, the
// producer's end of the channel and the steps that differ between
// mechanisms; the skeleton spawns the consumer, lets the mechanism run the
// ready handshake, arms the watchdog, drives the timed loop and ends the run.
// The shape is nvbench's measure_*: a non-template part holding the state
// (RunnerCore) and a thin template per strategy.
//
// A Mechanism M provides:
//   explicit M(const RunnerOptions&);
//       Creates the producer's end of the channel and writes what the
//       consumer reads first (a segment's header, a queue's size).  Throws
//       ipc::Error.
//   SpawnOptions spawn_options(const RunnerOptions&) const;
//       The consumer's arguments and the handles it inherits.
//   std::function<void()> hand_over(Consumer&);
//       Waits for the consumer's ready handshake through the Consumer's
//       bounded waits, removes every name that must not outlive the hand-over
//       (a segment's, a queue's), and returns the interrupt: what makes the
//       producer's pending wait return once the watchdog finds the consumer
//       dead or silent (Consumer::arm).  Throws ipc::Error.
//   auto link();
//       The Link that the timed loop drives (ipc/round_trip_loop.hpp).
//   void stop();
//       Sends the stop message (docs/protocol.md, "How a run ends").
#include <sys/types.h>

#include <cstdint>

#include "ipc/child_process.hpp"
#include "ipc/consumer.hpp"
#include "ipc/message.hpp"
#include "ipc/runner.hpp"

namespace ipc {

// What every spawned runner holds besides its mechanism.
struct RunnerCore {
  // Spawns the consumer with `spawn` (ipc/child_process.hpp).  Throws
  // ipc::Error if it cannot be started.
  RunnerCore(const RunnerOptions& options, const SpawnOptions& spawn)
      : message(options.payload, options.check), consumer(spawn, options.timeout) {}

  Message message;
  std::uint64_t seq = 0;  // the last sequence number sent
  Consumer consumer;
};

template <class Mechanism>
class SpawnedRunner final : public Runner {
 public:
  // Throws ipc::Error when the channel cannot be made, the consumer cannot
  // be started, or the handshake fails or times out (options.timeout).
  explicit SpawnedRunner(const RunnerOptions& options)
      : mechanism_(options), core_(options, mechanism_.spawn_options(options)) {
    core_.consumer.arm(mechanism_.hand_over(core_.consumer));
  }

  void run(Batch& batch) override {
    auto link = mechanism_.link();
    core_.consumer.run(link, core_.message, core_.seq, batch);
  }

  void finish() override {
    core_.consumer.finish([&] { mechanism_.stop(); });
  }

  [[nodiscard]] pid_t consumer_pid() const noexcept override { return core_.consumer.pid(); }

 private:
  Mechanism mechanism_;
  // After the mechanism, so destroyed before it: the consumer is stopped and
  // reaped, its watchdog joined, before the mechanism's descriptors,
  // mappings and daemons go.  A member, not a base: a base would outlive
  // the members.
  RunnerCore core_;
};

}  // namespace ipc

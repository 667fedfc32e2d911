#pragma once
// SharedFanoutRunner: the Fanout (ipc/fanout.hpp) of a mechanism in which
// one channel reaches every receiver (one write read by N spinners, one
// wake of N waiters): one Fan, N consumers spawned on it with --stamp, and
// the loop of ipc/fanout_loop.hpp.
//
// A Fan provides:
//   Fan(const RunnerOptions&, std::size_t receivers);
//       Creates the one channel for that many receivers.  Throws ipc::Error.
//   SpawnOptions spawn_options(const RunnerOptions&, std::size_t i) const;
//       Receiver i's arguments and handles.
//   std::function<void()> hand_over(Consumer&, std::size_t i);
//       Waits for receiver i's handshake; returns its interrupt, as a
//       Mechanism's hand_over does.  Throws ipc::Error.
//   void handed_over();
//       Every receiver has the channel: removes its names.
//   void publish(std::span<const std::byte> ping, std::uint64_t seq);
//   Reply collect(std::size_t i, std::span<std::byte> buffer, std::uint64_t seq);
//       As FanoutLoop's, receiver i's pong.  Throws ipc::Error.
//   void stop();
//       The stop message, which ends every receiver; idempotent.
#include <fmt/format.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ipc/consumer.hpp"
#include "ipc/error.hpp"
#include "ipc/fanout.hpp"
#include "ipc/fanout_loop.hpp"

namespace ipc {

// Receiver i of a fan-out segment (ipc/fanout_segment.hpp): its consumer's
// arguments (docs/protocol.md, fan-out), as every Fan over one gives them.
template <class Segment>
SpawnOptions segment_receiver_spawn(const RunnerOptions& options, const Segment& segment, std::size_t i,
                                    std::size_t receivers) {
  return {options.consumer_path,
          {"--name", segment.name(), "--payload", std::to_string(options.payload), "--receiver", std::to_string(i),
           "--receivers", std::to_string(receivers)},
          {},
          options.consumer_cpu};
}

// Waits for receiver i to have mapped the segment (its ready bit).  Throws
// ipc::Error as Consumer::await.
template <class Segment>
void await_segment_mapped(Consumer& consumer, const Segment& segment, std::size_t i) {
  consumer.await([&segment, i] { return segment.ready(i); }, "the receiver to map the shared memory");
}

template <class Fan>
class SharedFanoutRunner final : public FanoutLoop<SharedFanoutRunner<Fan>> {
  using Base = FanoutLoop<SharedFanoutRunner<Fan>>;
  friend Base;

 public:
  // Throws ipc::Error naming the receiver that could not be started or
  // failed its handshake; those started before it are stopped and reaped,
  // and the channel's names removed.
  explicit SharedFanoutRunner(const FanoutOptions& options)
      : Base(options), fan_(options.runner, options.consumer_cpus.size()) {
    for (std::size_t i = 0; i < options.consumer_cpus.size(); ++i) {
      RunnerOptions one = options.runner;
      one.consumer_cpu = options.consumer_cpus[i];
      try {
        SpawnOptions spawn = fan_.spawn_options(one, i);
        spawn.args.emplace_back("--stamp");
        consumers_.push_back(std::make_unique<Consumer>(spawn, one.timeout));
        consumers_.back()->arm(fan_.hand_over(*consumers_.back(), i));
      } catch (const Error& e) {
        throw this->about(i, e.what());
      }
    }
    fan_.handed_over();
  }

  // One stop ends every receiver: every watchdog is stopped before it, so
  // that none takes a receiver's clean exit for a death.
  void finish() override {
    for (const auto& c : consumers_) c->disarm();
    for (std::size_t i = 0; i < consumers_.size(); ++i) {
      try {
        consumers_[i]->finish([&] { fan_.stop(); });
      } catch (const Error& e) {
        throw Error(fmt::format("receiver {} of {}: {}", i, consumers_.size(), e.what()));
      }
    }
  }

 private:
  void publish(std::span<const std::byte> ping, std::uint64_t seq, std::size_t& current) {
    current = 0;
    fan_.publish(ping, seq);
  }
  Reply collect(std::size_t i, std::span<std::byte> buffer, std::uint64_t seq) { return fan_.collect(i, buffer, seq); }
  [[nodiscard]] Consumer& consumer(std::size_t i) const noexcept { return *consumers_[i]; }

  Fan fan_;
  // After the fan, so destroyed before it: every consumer is killed and
  // reaped, its watchdog joined, before the mapping goes.
  std::vector<std::unique_ptr<Consumer>> consumers_;
};

}  // namespace ipc

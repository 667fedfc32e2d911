#pragma once
// FanoutRunner: the Fanout (ipc/fanout.hpp) of a transport whose Mechanism
// (ipc/spawned_runner.hpp) reaches one consumer, made N times: N channels,
// N consumers, each started with --stamp, and one loop (ipc/fanout_loop.hpp)
// that publishes each ping on every channel in turn (one send per receiver,
// the way a user of pipes or datagrams fans out) before it collects the N
// pongs.
#include <fmt/format.h>

#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "ipc/consumer.hpp"
#include "ipc/error.hpp"
#include "ipc/fanout.hpp"
#include "ipc/fanout_loop.hpp"
#include "ipc/spawned_runner.hpp"

namespace ipc {

template <class Mechanism>
class FanoutRunner final : public FanoutLoop<FanoutRunner<Mechanism>> {
  using Base = FanoutLoop<FanoutRunner<Mechanism>>;
  friend Base;

 public:
  // Throws ipc::Error as SpawnedRunner does, naming the receiver whose
  // channel, consumer or handshake failed; the receivers started before it
  // are stopped and reaped.
  explicit FanoutRunner(const FanoutOptions& options) : Base(options) {
    for (std::size_t i = 0; i < options.consumer_cpus.size(); ++i) {
      RunnerOptions one = options.runner;
      one.consumer_cpu = options.consumer_cpus[i];
      try {
        receivers_.push_back(std::make_unique<Receiver>(one));
      } catch (const Error& e) {
        throw this->about(i, e.what());
      }
      links_.push_back(receivers_.back()->mechanism.link());
    }
  }

  void finish() override {
    for (std::size_t i = 0; i < receivers_.size(); ++i) {
      Receiver& r = *receivers_[i];
      try {
        r.core.consumer.finish([&] { r.mechanism.stop(); });
      } catch (const Error& e) {
        throw Error(fmt::format("receiver {} of {}: {}", i, receivers_.size(), e.what()));
      }
    }
  }

 private:
  struct Receiver {
    explicit Receiver(const RunnerOptions& options) : mechanism(options), core(options, stamped(options)) {
      core.consumer.arm(mechanism.hand_over(core.consumer));
    }
    SpawnOptions stamped(const RunnerOptions& options) const {
      SpawnOptions spawn = mechanism.spawn_options(options);
      spawn.args.emplace_back("--stamp");
      return spawn;
    }
    Mechanism mechanism;
    RunnerCore core;  // after the mechanism, as in SpawnedRunner
  };
  using Link = decltype(std::declval<Mechanism&>().link());

  void publish(std::span<const std::byte> ping, std::uint64_t seq, std::size_t& current) {
    for (current = 0; current < links_.size(); ++current) links_[current].send(ping, seq);
  }
  Reply collect(std::size_t i, std::span<std::byte> buffer, std::uint64_t seq) { return links_[i].receive(buffer, seq); }
  [[nodiscard]] Consumer& consumer(std::size_t i) const noexcept { return receivers_[i]->core.consumer; }

  std::vector<std::unique_ptr<Receiver>> receivers_;
  std::vector<Link> links_;
};

}  // namespace ipc

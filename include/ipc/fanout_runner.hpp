#pragma once
// FanoutRunner: the Fanout (ipc/fanout.hpp) of a transport whose Mechanism
// (ipc/spawned_runner.hpp) reaches one consumer, made N times: N channels,
// N consumers, each started with --stamp, and one loop that publishes each
// ping on every channel in turn (one send per receiver, the way a user of
// pipes or datagrams fans out) before it collects the N pongs.
//
// The loop is not round_trip_loop.hpp's: a fan-out of 1 never comes here,
// so today's round trip keeps its loop and pays nothing for this one.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

#include "ipc/consumer.hpp"
#include "ipc/error.hpp"
#include "ipc/fanout.hpp"
#include "ipc/spawned_runner.hpp"
#include "ipc/tick_clock.hpp"

namespace ipc {

template <class Mechanism>
class FanoutRunner final : public Fanout {
 public:
  // Throws ipc::Error as SpawnedRunner does, naming the receiver whose
  // channel, consumer or handshake failed; the receivers started before it
  // are stopped and reaped.
  explicit FanoutRunner(const FanoutOptions& options)
      : message_(options.runner.payload, options.runner.check), cpus_(options.consumer_cpus) {
    for (std::size_t i = 0; i < options.consumer_cpus.size(); ++i) {
      RunnerOptions one = options.runner;
      one.consumer_cpu = options.consumer_cpus[i];
      try {
        receivers_.push_back(std::make_unique<Receiver>(one));
      } catch (const Error& e) {
        throw Error(fmt::format("receiver {} of {} ({}): {}", i, cpus_.size(), cpu_of(i), e.what()));
      }
      links_.push_back(receivers_.back()->mechanism.link());
      pongs_.emplace_back(options.runner.payload);
    }
    deliveries_.resize(receivers_.size());
  }

  void run(Batch& batch) override {
    for (LatencyHistogram& h : deliveries_) h.reset();
    std::size_t current = 0;
    try {
      if (batch.timing == Timing::clock_free) {
        loop<false>(batch, current);
      } else {
        loop<true>(batch, current);
      }
    } catch (const Error& e) {
      fail(current, e.what());
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

  // Receiver 0's: the CPU time and counters of one consumer stand for each.
  [[nodiscard]] pid_t consumer_pid() const noexcept override { return receivers_.front()->core.consumer.pid(); }

  [[nodiscard]] std::span<const LatencyHistogram> deliveries() const noexcept override { return deliveries_; }

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

  // One ping to every receiver, then every pong: the stamps before the
  // first send and after the last check bound the round trip; each pong's
  // delivery stamp, minus the first, is that receiver's delivery latency.
  template <bool kTimed>
  void loop(Batch& batch, std::size_t& current) {
    const TickClock& clock = TickClock::instance();
    const std::span<const std::byte> ping = message_.ping();
    std::uint64_t sum = 0;
    for (std::uint64_t k = 0; k < batch.count; ++k) {
      const std::uint64_t s = ++seq_;
      message_.stamp(s);
      const std::uint64_t start = clock.stamp();
      for (current = 0; current < links_.size(); ++current) links_[current].send(ping, s);
      for (current = 0; current < links_.size(); ++current) {
        const Reply reply = links_[current].receive(pongs_[current], s);
        const std::uint64_t delivered = restore(current, reply);
        message_.verify(pongs_[current], reply.received, s);
        receivers_[current]->core.consumer.progressed(s);
        if constexpr (kTimed) {
          if (delivered < start) [[unlikely]]
            throw Error(fmt::format("its delivery stamp reads {} ticks before the ping was published: the clock "
                                    "disagrees between CPUs here (IPC_BENCH_CLOCK=monotonic uses CLOCK_MONOTONIC)",
                                    start - delivered));
          deliveries_[current].record(delivered - start);
        }
      }
      if constexpr (kTimed) {
        const std::uint64_t end = clock.stamp();
        batch.histogram->record(end - start);
        sum += end - start;
      }
    }
    if constexpr (kTimed) batch.ticks = sum;
  }

  // The delivery stamp of receiver i's pong, and the pong in pongs_[i] with
  // the filler the stamp overwrote put back, ready for the check.
  std::uint64_t restore(std::size_t i, const Reply& reply) noexcept {
    std::span<std::byte> pong = pongs_[i];
    if (reply.bytes.data() != pong.data())
      std::memcpy(pong.data(), reply.bytes.data(), std::min(pong.size(), reply.bytes.size()));
    std::uint64_t delivered = 0;
    if (reply.bytes.size() >= kDeliveryStampOffset + sizeof delivered) {
      std::memcpy(&delivered, pong.data() + kDeliveryStampOffset, sizeof delivered);
      std::memcpy(pong.data() + kDeliveryStampOffset, message_.ping().data() + kDeliveryStampOffset, sizeof delivered);
    }
    return delivered;
  }

  [[noreturn]] void fail(std::size_t i, const char* what) {
    i = std::min(i, receivers_.size() - 1);
    try {
      receivers_[i]->core.consumer.fail_round_trip(what);
    } catch (const Error& e) {
      throw Error(fmt::format("receiver {} of {} ({}): {}", i, receivers_.size(), cpu_of(i), e.what()));
    }
  }

  [[nodiscard]] std::string cpu_of(std::size_t i) const {
    return cpus_[i] ? fmt::format("CPU {}", *cpus_[i]) : std::string("unpinned");
  }

  Message message_;
  std::vector<std::optional<int>> cpus_;  // receiver i's CPU, for the messages
  std::uint64_t seq_ = 0;
  std::vector<std::unique_ptr<Receiver>> receivers_;
  std::vector<Link> links_;
  std::vector<std::vector<std::byte>> pongs_;
  std::vector<LatencyHistogram> deliveries_;
};

}  // namespace ipc

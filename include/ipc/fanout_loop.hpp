#pragma once
// FanoutLoop: what every fan-out runner (ipc/fanout.hpp) shares, whatever
// its mechanism: the ping, a pong buffer and a delivery histogram per
// receiver, and the one loop that publishes each ping and collects the N
// pongs.  A runner derives from FanoutLoop<itself> and provides:
//   void publish(std::span<const std::byte> ping, std::uint64_t seq, std::size_t& current);
//       The ping to every receiver (`current`: the one being sent to, for
//       a failure's name).  Throws ipc::Error.
//   Reply collect(std::size_t i, std::span<std::byte> buffer, std::uint64_t seq);
//       Receiver i's pong of round trip `seq`.  Throws ipc::Error.
//   Consumer& consumer(std::size_t i) const;
//       Receiver i's process.
//
// The loop is not round_trip_loop.hpp's: a fan-out of 1 never comes here,
// so today's round trip keeps its loop and pays nothing for this one.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ipc/consumer.hpp"
#include "ipc/error.hpp"
#include "ipc/fanout.hpp"
#include "ipc/message.hpp"
#include "ipc/tick_clock.hpp"

namespace ipc {

template <class Derived>
class FanoutLoop : public Fanout {
 public:
  void run(Batch& batch) final {
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

  // Receiver 0's: the CPU time and counters of one consumer stand for each.
  [[nodiscard]] pid_t consumer_pid() const noexcept final { return derived().consumer(0).pid(); }

  [[nodiscard]] std::span<const LatencyHistogram> deliveries() const noexcept final { return deliveries_; }

 protected:
  explicit FanoutLoop(const FanoutOptions& options)
      : message_(options.runner.payload, options.runner.check),
        cpus_(options.consumer_cpus),
        pongs_(cpus_.size(), std::vector<std::byte>(options.runner.payload)),
        deliveries_(cpus_.size()) {}

  // `what`, about receiver i, as every failure names it.
  [[nodiscard]] Error about(std::size_t i, const char* what) const {
    return Error(fmt::format("receiver {} of {} ({}): {}", i, cpus_.size(), cpu_of(i), what));
  }

 private:
  [[nodiscard]] const Derived& derived() const noexcept { return static_cast<const Derived&>(*this); }
  [[nodiscard]] Derived& derived() noexcept { return static_cast<Derived&>(*this); }

  // One ping to every receiver, then every pong: the stamps before the
  // first send and after the last check bound the round trip; each pong's
  // delivery stamp, minus the first, is that receiver's delivery latency.
  template <bool kTimed>
  void loop(Batch& batch, std::size_t& current) {
    const TickClock& clock = TickClock::instance();
    const std::span<const std::byte> ping = message_.ping();
    const std::size_t n = pongs_.size();
    std::uint64_t sum = 0;
    for (std::uint64_t k = 0; k < batch.count; ++k) {
      const std::uint64_t s = ++seq_;
      message_.stamp(s);
      const std::uint64_t start = clock.stamp();
      derived().publish(ping, s, current);
      for (current = 0; current < n; ++current) {
        const Reply reply = derived().collect(current, pongs_[current], s);
        const std::uint64_t delivered = restore(current, reply);
        message_.verify(pongs_[current], reply.received, s);
        derived().consumer(current).progressed(s);
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
    i = std::min(i, pongs_.size() - 1);
    try {
      derived().consumer(i).fail_round_trip(what);
    } catch (const Error& e) {
      throw about(i, e.what());
    }
  }

  [[nodiscard]] std::string cpu_of(std::size_t i) const {
    return cpus_[i] ? fmt::format("CPU {}", *cpus_[i]) : std::string("unpinned");
  }

  Message message_;
  std::vector<std::optional<int>> cpus_;  // receiver i's CPU, for the messages
  std::uint64_t seq_ = 0;
  std::vector<std::vector<std::byte>> pongs_;
  std::vector<LatencyHistogram> deliveries_;
};

}  // namespace ipc

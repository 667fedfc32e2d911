#include "ipc/transport/shm_spin/shm_spin.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ipc/consumer.hpp"
#include "ipc/fanout_segment.hpp"
#include "ipc/message.hpp"
#include "ipc/shared_fanout_runner.hpp"
#include "ipc/shm_segment.hpp"
#include "ipc/spawned_runner.hpp"
#include "ipc/spin_protocol.hpp"

namespace ipc::transport::shm_spin {
namespace {

// The segment, its header and the polled channels are shared with the
// other shared-memory transports (ipc/shm_segment.hpp).  Both sides poll
// 64-bit sequence words: shm_spin with a spin-wait hint between two polls,
// shm_yield with sched_yield() (the Wait policy, ipc/spin_protocol.hpp).
using Segment64 = shm::MappedSegment<std::uint64_t>;

// The producer's end: the segment, both sides polling 64-bit sequence words.
template <class Wait>
class Segment {
 public:
  explicit Segment(const RunnerOptions& options) : segment_(Segment64::create(options.payload)) {}

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    std::vector<std::string> arguments{"--name", segment_.memory().name(), "--payload", std::to_string(options.payload)};
    if constexpr (std::is_same_v<Wait, shm::YieldWait>) arguments.emplace_back("--yield");
    return {options.consumer_path, std::move(arguments), {}, options.consumer_cpu};
  }

  std::function<void()> hand_over(Consumer& consumer) {
    segment_.await_consumer(consumer);
    // The consumer is dead when this runs: nobody else writes the pong channel.
    return [pong = segment_.channels().pong] { pong.publish(shm::kInterrupted); };
  }

  shm::SpinLink<Wait> link() const { return {segment_.channels()}; }
  void stop() { segment_.channels().ping.publish(shm::kStop); }

 private:
  Segment64 segment_;
};

using FanSegment64 = shm::FanoutSegment<std::uint64_t>;

// Fan-out (ipc/shared_fanout_runner.hpp): one write of the ping, read by N
// spinners, each answering in its own slot (the layout: ipc/fanout_segment.hpp).
// The producer spins on the slots in turn: a receiver that answered first
// has its slot waiting, already written, when the producer comes to it.
class SpinFan {
 public:
  SpinFan(const RunnerOptions& options, std::size_t receivers)
      : segment_(FanSegment64::create(options.payload, receivers)), receivers_(receivers) {}

  SpawnOptions spawn_options(const RunnerOptions& options, std::size_t i) const {
    return segment_receiver_spawn(options, segment_, i, receivers_);
  }

  std::function<void()> hand_over(Consumer& consumer, std::size_t i) {
    await_segment_mapped(consumer, segment_, i);
    // Receiver i is dead when this runs: nobody else writes its slot.
    return [pong = segment_.pong(i)] { pong.publish(shm::kInterrupted); };
  }
  void handed_over() noexcept { segment_.unlink(); }

  void publish(std::span<const std::byte> ping, std::uint64_t seq) noexcept {
    const shm::Channel<std::uint64_t> channel = segment_.ping();
    std::memcpy(channel.data(), ping.data(), ping.size());
    channel.publish(seq);
  }
  Reply collect(std::size_t i, std::span<std::byte> buffer, std::uint64_t seq) const {
    const shm::Channel<std::uint64_t> pong = segment_.pong(i);
    const std::uint64_t answered = pong.await_change(seq - 1);
    if (answered != seq) [[unlikely]]
      shm::SpinLink<>::fail(answered, seq);
    return {std::span<const std::byte>(pong.data(), buffer.size()), buffer.size()};
  }
  void stop() noexcept { segment_.ping().publish(shm::kStop); }

 private:
  FanSegment64 segment_;
  std::size_t receivers_;
};

}  // namespace

std::unique_ptr<Runner> start(const RunnerOptions& options) {
  return std::make_unique<SpawnedRunner<Segment<shm::SpinWait>>>(options);
}

std::unique_ptr<Fanout> start_fanout(const FanoutOptions& options) {
  return std::make_unique<SharedFanoutRunner<SpinFan>>(options);
}

int serve_fanout(const std::string& name, std::size_t payload, std::size_t receiver, std::size_t receivers) {
  if (payload < kFanoutMinPayload)
    throw Error(fmt::format("--stamp needs a payload of at least {} bytes, got {}", kFanoutMinPayload, payload));
  // Chosen and calibrated before the handshake, as the producer's was: the same clock.
  const StampedEcho echo{TickClock::instance()};
  const FanSegment64 segment = FanSegment64::open(name, payload, receivers, receiver);
  const shm::Channel<std::uint64_t> ping = segment.ping(), pong = segment.pong(receiver);
  segment.set_ready(receiver);
  for (std::uint64_t seq = 1;; ++seq) {
    const std::uint64_t got = ping.await_change(seq - 1);
    if (got == shm::kStop) return 0;
    if (got != seq) throw Error(fmt::format("ping sequence {}, expected {}", got, seq));
    echo(pong.data(), ping.data(), payload);
    pong.publish(seq);
  }
}

std::unique_ptr<Runner> start_yield(const RunnerOptions& options) {
  return std::make_unique<SpawnedRunner<Segment<shm::YieldWait>>>(options);
}

int serve(const std::string& name, std::size_t payload, bool yield) {
  const Segment64 segment = Segment64::open(name, payload);
  return yield ? spin_serve<shm::YieldWait>(segment, payload) : spin_serve<shm::SpinWait>(segment, payload);
}

}  // namespace ipc::transport::shm_spin

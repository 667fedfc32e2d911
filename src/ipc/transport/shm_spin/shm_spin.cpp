#include "ipc/transport/shm_spin/shm_spin.hpp"

#include <fmt/format.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ipc/consumer.hpp"
#include "ipc/message.hpp"
#include "ipc/shared_memory.hpp"
#include "ipc/shm_channel.hpp"
#include "ipc/spawned_runner.hpp"
#include "ipc/spin_protocol.hpp"

namespace ipc::transport::shm_spin {
namespace {

// The layout, the header and the polled channels are shared with the
// other shared-memory transports (ipc/shm_channel.hpp).  Both sides poll
// 64-bit sequence words: shm_spin with a spin-wait hint between two polls,
// shm_yield with sched_yield() (the Wait policy, ipc/spin_protocol.hpp).
using shm::kInterrupted;
using shm::kStop;
using shm::Layout;
using Channels = shm::Channels<std::uint64_t>;

// The producer's end: the segment, both sides polling 64-bit sequence words.
template <class Wait>
class Segment {
 public:
  explicit Segment(const RunnerOptions& options)
      : layout_{options.payload}, segment_(SharedMemory::create(layout_.total())), channels_(segment_.data(), layout_) {
    channels_.header->payload = options.payload;
  }

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    std::vector<std::string> arguments{"--name", segment_.name(), "--payload", std::to_string(options.payload)};
    if constexpr (std::is_same_v<Wait, shm::YieldWait>) arguments.emplace_back("--yield");
    return {options.consumer_path, std::move(arguments), {}, options.consumer_cpu};
  }

  std::function<void()> hand_over(Consumer& consumer) {
    const auto ready = std::atomic_ref(channels_.header->consumer_ready);
    consumer.await([&] { return ready.load(std::memory_order_acquire) == 1; }, "the consumer to map the shared memory");
    segment_.unlink();  // both sides have it mapped: the name has no further use
    // The consumer is dead when this runs: nobody else writes the pong channel.
    return [pong = channels_.pong] { pong.publish(kInterrupted); };
  }

  shm::SpinLink<Wait> link() const { return {channels_}; }
  void stop() { channels_.ping.publish(kStop); }

 private:
  Layout layout_;
  SharedMemory segment_;
  Channels channels_;
};

}  // namespace

std::unique_ptr<Runner> start(const RunnerOptions& options) {
  return std::make_unique<SpawnedRunner<Segment<shm::SpinWait>>>(options);
}

std::unique_ptr<Runner> start_yield(const RunnerOptions& options) {
  return std::make_unique<SpawnedRunner<Segment<shm::YieldWait>>>(options);
}

int serve(const std::string& name, std::size_t payload, bool yield) {
  const Layout layout{payload};
  const SharedMemory segment = SharedMemory::open(name, layout.total());
  const Channels channels(segment.data(), layout);
  const std::string where = fmt::format("segment {}", name);
  return yield ? spin_serve<shm::YieldWait>(channels, payload, where) : spin_serve<shm::SpinWait>(channels, payload, where);
}

}  // namespace ipc::transport::shm_spin

#include "ipc/transport/shm_spin/shm_spin.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ipc/consumer.hpp"
#include "ipc/message.hpp"
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

}  // namespace

std::unique_ptr<Runner> start(const RunnerOptions& options) {
  return std::make_unique<SpawnedRunner<Segment<shm::SpinWait>>>(options);
}

std::unique_ptr<Runner> start_yield(const RunnerOptions& options) {
  return std::make_unique<SpawnedRunner<Segment<shm::YieldWait>>>(options);
}

int serve(const std::string& name, std::size_t payload, bool yield) {
  const Segment64 segment = Segment64::open(name, payload);
  return yield ? spin_serve<shm::YieldWait>(segment, payload) : spin_serve<shm::SpinWait>(segment, payload);
}

}  // namespace ipc::transport::shm_spin

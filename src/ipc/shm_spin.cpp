#include "ipc/transport/shm_spin.hpp"

#include <fmt/format.h>

#include <atomic>
#include <cstdint>
#include <cstring>

#include "ipc/consumer.hpp"
#include "ipc/message.hpp"
#include "ipc/shared_memory.hpp"
#include "ipc/shm_channel.hpp"
#include "ipc/spin_protocol.hpp"

namespace ipc::shm_spin {
namespace {

// The layout, the header and the spinning channels are shared with the
// other shared-memory transports (ipc/shm_channel.hpp).  Both sides spin on
// 64-bit sequence words.
using shm::kInterrupted;
using shm::kStop;
using shm::Layout;
using Channels = shm::Channels<std::uint64_t>;

class ShmSpinRunner final : public Runner {
 public:
  explicit ShmSpinRunner(const RunnerOptions& options)
      : layout_{options.payload},
        segment_(SharedMemory::create(layout_.total())),
        channels_(segment_.data(), layout_),
        message_(options.payload, options.check),
        consumer_(init_and_spawn_options(options), options.timeout) {
    const auto ready = std::atomic_ref(channels_.header->consumer_ready);
    consumer_.await([&] { return ready.load(std::memory_order_acquire) == 1; },
                    "the consumer to map the shared memory");
    segment_.unlink();  // both sides have it mapped: the name has no further use
    // The consumer is dead when this runs: nobody else writes the pong channel.
    consumer_.arm([pong = channels_.pong] { pong.publish(kInterrupted); });
  }

  void run(Batch& batch) override {
    shm::SpinLink link{channels_};
    consumer_.run(link, message_, seq_, batch);
  }

  void finish() override {
    consumer_.finish([&] { channels_.ping.publish(kStop); });
  }

  [[nodiscard]] pid_t consumer_pid() const noexcept override { return consumer_.pid(); }

 private:
  SpawnOptions init_and_spawn_options(const RunnerOptions& options) {
    channels_.header->payload = options.payload;
    return {options.consumer_path, {"--name", segment_.name(), "--payload", std::to_string(options.payload)}, {},
            options.consumer_cpu};
  }

  Layout layout_;
  SharedMemory segment_;
  Channels channels_;
  Message message_;
  std::uint64_t seq_ = 0;
  Consumer consumer_;  // last: stopped and reaped before the segment is unmapped
};

}  // namespace

std::unique_ptr<Runner> start(const RunnerOptions& options) { return std::make_unique<ShmSpinRunner>(options); }

int serve(const std::string& name, std::size_t payload) {
  const Layout layout{payload};
  const SharedMemory segment = SharedMemory::open(name, layout.total());
  const Channels channels(segment.data(), layout);
  return spin_serve(channels, payload, fmt::format("segment {}", name));
}

}  // namespace ipc::shm_spin

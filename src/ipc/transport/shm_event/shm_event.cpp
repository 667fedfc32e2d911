// shm_event: shared memory for the payload, an auto-reset event per
// direction to wake the sleeping side (the Windows counterpart of shm_futex
// and eventfd).  Each side sets the other's event exactly once per message,
// after publishing: an auto-reset event stays signalled until one wait
// consumes it, so a wake-up that comes before the wait is never lost
// (SetEvent, "Event Objects" in the Win32 documentation).
#include <fmt/format.h>

#include <charconv>

#include "ipc/consumer.hpp"
#include "ipc/message.hpp"
#include "ipc/shared_memory.hpp"
#include "ipc/shm_channel.hpp"
#include "ipc/windows/error.hpp"
#include "ipc/spawned_runner.hpp"
#include "ipc/transport/shm_event/shm_event.hpp"
#include "ipc/windows/win32.hpp"

namespace ipc::transport::shm_event {
namespace {

using shm::kInterrupted;
using shm::kStop;
using shm::Layout;
using Channels = shm::Channels<std::uint64_t>;

UniqueHandle auto_reset_event() {
  UniqueHandle event(::CreateEventW(nullptr, FALSE, FALSE, nullptr));
  if (!event) throw_last_error("CreateEvent");
  return event;
}

void wait(HANDLE event) {
  if (::WaitForSingleObject(event, INFINITE) != WAIT_OBJECT_0) throw_last_error("WaitForSingleObject");
}

void set(HANDLE event) {
  if (!::SetEvent(event)) throw_last_error("SetEvent");
}

struct EventLink {
  const Channels& channels;
  HANDLE ping_event, pong_event;

  void send(std::span<const std::byte> ping, std::uint64_t seq) {
    std::memcpy(channels.ping.data(), ping.data(), ping.size());
    channels.ping.publish(seq);
    set(ping_event);
  }
  Reply receive(std::span<std::byte> buffer, std::uint64_t seq) const {
    wait(pong_event);
    const std::uint64_t answered = channels.pong.load();
    if (answered != seq) [[unlikely]]
      throw Error(answered == kInterrupted ? std::string("no pong")
                                           : fmt::format("pong channel holds sequence {}, expected {}", answered, seq));
    return {std::span<const std::byte>(channels.pong.data(), buffer.size()), buffer.size()};
  }
};

// The producer's end: the segment and an auto-reset event per direction.
class Segment {
 public:
  explicit Segment(const RunnerOptions& options)
      : layout_{options.payload},
        segment_(SharedMemory::create(layout_.total())),
        channels_(segment_.data(), layout_),
        ping_event_(auto_reset_event()),
        pong_event_(auto_reset_event()) {
    channels_.header->payload = options.payload;
  }

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    const auto value = [](const UniqueHandle& h) { return std::to_string(reinterpret_cast<std::uintptr_t>(h.get())); };
    return {options.consumer_path,
            {"--name", segment_.name(), "--ping-event", value(ping_event_), "--pong-event", value(pong_event_),
             "--payload", std::to_string(options.payload)},
            {{ping_event_.get(), -1}, {pong_event_.get(), -1}},
            options.consumer_cpu};
  }

  std::function<void()> hand_over(Consumer& consumer) {
    const auto ready = std::atomic_ref(channels_.header->consumer_ready);
    consumer.await([&] { return ready.load(std::memory_order_acquire) == 1; }, "the consumer to map the shared memory");
    segment_.unlink();
    // The consumer is dead when this runs: nobody else writes the pong channel.
    return [this] {
      channels_.pong.publish(kInterrupted);
      ::SetEvent(pong_event_.get());
    };
  }

  EventLink link() const { return {channels_, ping_event_.get(), pong_event_.get()}; }

  void stop() {
    channels_.ping.publish(kStop);
    set(ping_event_.get());
  }

 private:
  Layout layout_;
  SharedMemory segment_;
  Channels channels_;
  UniqueHandle ping_event_, pong_event_;
};

}  // namespace

std::unique_ptr<Runner> start(const RunnerOptions& options) {
  return std::make_unique<SpawnedRunner<Segment>>(options);
}

int serve(const std::string& name, std::uintptr_t ping_event, std::uintptr_t pong_event,
                    std::size_t payload) {
  const Layout layout{payload};
  const SharedMemory segment = SharedMemory::open(name, layout.total());
  const Channels channels(segment.data(), layout);
  const UniqueHandle ping(reinterpret_cast<HANDLE>(ping_event)), pong(reinterpret_cast<HANDLE>(pong_event));
  if (channels.header->payload != payload)
    throw Error(fmt::format("segment {} was set up for {}-byte payloads, not {}", name, channels.header->payload,
                            payload));
  std::atomic_ref(channels.header->consumer_ready).store(1, std::memory_order_release);
  for (std::uint64_t seq = 1;; ++seq) {
    wait(ping.get());
    const std::uint64_t got = channels.ping.load();
    if (got == kStop) return 0;
    if (got != seq) throw Error(fmt::format("ping sequence {}, expected {}", got, seq));
    std::memcpy(channels.pong.data(), channels.ping.data(), payload);
    channels.pong.publish(seq);
    set(pong.get());
  }
}

}  // namespace ipc::transport::shm_event

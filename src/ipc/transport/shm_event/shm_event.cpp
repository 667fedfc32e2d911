// shm_event: shared memory for the payload, an auto-reset event per
// direction to wake the sleeping side (the Windows counterpart of shm_futex
// and eventfd).  Each side sets the other's event exactly once per message,
// after publishing: an auto-reset event stays signalled until one wait
// consumes it, so a wake-up that comes before the wait is never lost
// (SetEvent, "Event Objects" in the Win32 documentation).
#include <cstdint>

#include "ipc/consumer.hpp"
#include "ipc/message.hpp"
#include "ipc/shm_segment.hpp"
#include "ipc/signal_protocol.hpp"
#include "ipc/windows/error.hpp"
#include "ipc/spawned_runner.hpp"
#include "ipc/transport/shm_event/shm_event.hpp"
#include "ipc/windows/win32.hpp"

namespace ipc::transport::shm_event {
namespace {

using Segment64 = shm::MappedSegment<std::uint64_t>;

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

// One direction's wake-up (ipc/signal_protocol.hpp): a wait consumes one SetEvent.
using Signal = shm::OneShotSignal<HANDLE, &set, &wait>;

// The producer's end: the segment and an auto-reset event per direction.
class Segment {
 public:
  explicit Segment(const RunnerOptions& options)
      : segment_(Segment64::create(options.payload)),
        ping_event_(auto_reset_event()),
        pong_event_(auto_reset_event()) {}

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    const auto value = [](const UniqueHandle& h) { return std::to_string(reinterpret_cast<std::uintptr_t>(h.get())); };
    return {options.consumer_path,
            {"--name", segment_.memory().name(), "--ping-event", value(ping_event_), "--pong-event", value(pong_event_),
             "--payload", std::to_string(options.payload)},
            {{ping_event_.get(), -1}, {pong_event_.get(), -1}},
            options.consumer_cpu};
  }

  std::function<void()> hand_over(Consumer& consumer) {
    segment_.await_consumer(consumer);
    // The consumer is dead when this runs: nobody else writes the pong channel.
    return [this] {
      segment_.channels().pong.publish(shm::kInterrupted);
      ::SetEvent(pong_event_.get());
    };
  }

  shm::SignalLink<Signal> link() const {
    return {segment_.channels(), {ping_event_.get()}, {pong_event_.get()}};
  }
  void stop() { link().stop(); }

 private:
  Segment64 segment_;
  UniqueHandle ping_event_, pong_event_;
};

}  // namespace

std::unique_ptr<Runner> start(const RunnerOptions& options) {
  return std::make_unique<SpawnedRunner<Segment>>(options);
}

int serve(const std::string& name, std::uintptr_t ping_event, std::uintptr_t pong_event,
                    std::size_t payload) {
  // Owned from here, so that they close however the run ends.
  const UniqueHandle ping(reinterpret_cast<HANDLE>(ping_event)), pong(reinterpret_cast<HANDLE>(pong_event));
  const Segment64 segment = Segment64::open(name, payload);
  segment.set_ready();
  return shm::signal_serve(segment.channels(), payload, Signal{ping.get()}, Signal{pong.get()});
}

}  // namespace ipc::transport::shm_event

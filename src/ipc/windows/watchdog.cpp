#include "ipc/watchdog.hpp"

#include "ipc/windows/error.hpp"
#include "ipc/windows/win32.hpp"

namespace ipc {

Watchdog::Watchdog(const ChildProcess& child, const std::atomic<std::uint64_t>& progress,
                   std::chrono::milliseconds timeout, std::function<void()> interrupt)
    : child_(child),
      progress_(progress),
      timeout_(timeout),
      interrupt_(std::move(interrupt)),
      stop_(::CreateEventW(nullptr, TRUE, FALSE, nullptr)) {
  if (!stop_) throw_last_error("CreateEvent");
  last_seen_ = progress_.load(std::memory_order_relaxed);
  last_change_ = std::chrono::steady_clock::now();
  thread_ = std::thread([this] { watch(); });
}

void Watchdog::disarm() noexcept {
  if (!thread_.joinable()) return;
  ::SetEvent(stop_.get());
  thread_.join();
}

void Watchdog::watch() {
  const HANDLE waits[2] = {stop_.get(), child_.exit_handle()};
  for (;;) {
    const DWORD r = ::WaitForMultipleObjects(2, waits, FALSE, static_cast<DWORD>(tick().count()));
    if (r == WAIT_OBJECT_0 || r == WAIT_FAILED) return;
    const Trip trip = r == WAIT_OBJECT_0 + 1 ? Trip::consumer_exited : stalled() ? Trip::timed_out : Trip::none;
    if (trip == Trip::none) continue;
    trip_.store(trip, std::memory_order_release);
    child_.kill();
    // Wait until the child is really gone: only then may `interrupt` touch
    // state the child shared with us.
    ::WaitForSingleObject(child_.exit_handle(), INFINITE);
    interrupt_();
    return;
  }
}

}  // namespace ipc

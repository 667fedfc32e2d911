// The watchdog's platform-independent half: its start, whether the producer
// is still making progress, and what tripping does.  The thread that asks is
// per platform (linux/watchdog.cpp, windows/watchdog.cpp).
#include <algorithm>
#include <utility>

#include "ipc/watchdog.hpp"

namespace ipc {

Watchdog::Watchdog(const ChildProcess& child, const std::atomic<std::uint64_t>& progress,
                   std::chrono::milliseconds timeout, std::function<void()> interrupt)
    : child_(child), progress_(progress), timeout_(timeout), interrupt_(std::move(interrupt)), stop_(make_stop()) {
  last_seen_ = progress_.load(std::memory_order_relaxed);
  last_change_ = std::chrono::steady_clock::now();
  thread_ = std::thread([this] { watch(); });
}

void Watchdog::fire(Trip trip) {
  trip_.store(trip, std::memory_order_release);
  child_.kill();
  await_exit();
  interrupt_();
}

std::chrono::milliseconds Watchdog::tick() const noexcept {
  return std::clamp(timeout_ / 20, std::chrono::milliseconds(1), std::chrono::milliseconds(100));
}

bool Watchdog::stalled() noexcept {
  const auto now = std::chrono::steady_clock::now();
  const std::uint64_t seen = progress_.load(std::memory_order_relaxed);
  if (seen != last_seen_) {
    last_seen_ = seen;
    last_change_ = now;
    return false;
  }
  return now - last_change_ >= timeout_;
}

}  // namespace ipc

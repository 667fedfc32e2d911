// The watchdog's platform-independent half: is the producer still making
// progress?  The thread that asks is per platform (watchdog.cpp,
// windows/watchdog.cpp).
#include <algorithm>

#include "ipc/watchdog.hpp"

namespace ipc {

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

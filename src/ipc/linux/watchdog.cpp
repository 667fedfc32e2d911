#include "ipc/watchdog.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>

#include "ipc/error.hpp"

namespace ipc {

Watchdog::Watchdog(const ChildProcess& child, const std::atomic<std::uint64_t>& progress,
                   std::chrono::milliseconds timeout, std::function<void()> interrupt)
    : child_(child),
      progress_(progress),
      timeout_(timeout),
      interrupt_(std::move(interrupt)),
      stop_(::eventfd(0, EFD_CLOEXEC)) {
  if (!stop_) throw_errno("eventfd");
  last_seen_ = progress_.load(std::memory_order_relaxed);
  last_change_ = std::chrono::steady_clock::now();
  thread_ = std::thread([this] { watch(); });
}

void Watchdog::disarm() noexcept {
  if (!thread_.joinable()) return;
  const std::uint64_t one = 1;
  [[maybe_unused]] ssize_t ignored = ::write(stop_.get(), &one, sizeof one);
  thread_.join();
}

void Watchdog::watch() {
  pollfd fds[2] = {{stop_.get(), POLLIN, 0}, {child_.exit_fd(), POLLIN, 0}};
  for (;;) {
    const int r = ::poll(fds, 2, static_cast<int>(tick().count()));
    if (r < 0 && errno != EINTR) return;
    if (fds[0].revents != 0) return;
    const Trip trip = fds[1].revents != 0 ? Trip::consumer_exited : stalled() ? Trip::timed_out : Trip::none;
    if (trip == Trip::none) continue;
    trip_.store(trip, std::memory_order_release);
    child_.kill();
    // Wait until the child is really gone: only then may `interrupt` touch
    // state the child shared with us.
    pollfd gone{child_.exit_fd(), POLLIN, 0};
    while (::poll(&gone, 1, -1) < 0 && errno == EINTR) {
    }
    interrupt_();
    return;
  }
}

}  // namespace ipc

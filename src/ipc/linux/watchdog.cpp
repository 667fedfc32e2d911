#include "ipc/watchdog.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>

#include "ipc/error.hpp"

namespace ipc {

UniqueNative Watchdog::make_stop() {
  UniqueFd stop(::eventfd(0, EFD_CLOEXEC));
  if (!stop) throw_errno("eventfd");
  return stop;
}

void Watchdog::disarm() noexcept {
  if (!thread_.joinable()) return;
  const std::uint64_t one = 1;
  [[maybe_unused]] ssize_t ignored = ::write(stop_.get(), &one, sizeof one);
  thread_.join();
}

void Watchdog::watch() {
  pollfd fds[2] = {{stop_.get(), POLLIN, 0}, {child_.exit_handle(), POLLIN, 0}};
  for (;;) {
    const int r = ::poll(fds, 2, static_cast<int>(tick().count()));
    if (r < 0 && errno != EINTR) return;
    if (fds[0].revents != 0) return;
    const Trip trip = fds[1].revents != 0 ? Trip::consumer_exited : stalled() ? Trip::timed_out : Trip::none;
    if (trip == Trip::none) continue;
    fire(trip);
    return;
  }
}

void Watchdog::await_exit() const noexcept {
  pollfd gone{child_.exit_handle(), POLLIN, 0};
  while (::poll(&gone, 1, -1) < 0 && errno == EINTR) {
  }
}

}  // namespace ipc

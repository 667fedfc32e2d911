#include "ipc/watchdog.hpp"

#include "ipc/windows/error.hpp"
#include "ipc/windows/win32.hpp"

namespace ipc {

UniqueNative Watchdog::make_stop() {
  UniqueHandle stop(::CreateEventW(nullptr, TRUE, FALSE, nullptr));
  if (!stop) throw_last_error("CreateEvent");
  return stop;
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
    fire(trip);
    return;
  }
}

void Watchdog::await_exit() const noexcept { ::WaitForSingleObject(child_.exit_handle(), INFINITE); }

}  // namespace ipc

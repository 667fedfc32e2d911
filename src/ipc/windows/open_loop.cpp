// OpenLoopTimer::wait_until on Windows (round_trip_loop.hpp): a
// high-resolution waitable timer instead of clock_nanosleep, which
// winpthreads offers for CLOCK_REALTIME only (CLOCK_MONOTONIC fails with
// EINVAL at once).  Linux: open_loop.cpp.
#include "ipc/cpu_relax.hpp"
#include "ipc/round_trip_loop.hpp"
#include "ipc/windows/win32.hpp"

namespace ipc::loop_detail {
namespace {

// How long before a ping is due the producer stops sleeping and spins.  A
// high-resolution timer (Windows 10 1803 and later) fires within about half a
// millisecond of its time rather than at the next 15.6 ms scheduler tick,
// and the thread's wake-up adds to that: 1 ms covers both on a machine that
// is not overloaded.  An estimate, not measured on Windows; under wine 8 on
// the development VM a 1 ms wait overshot by 0.2 ms on average.
constexpr double kSpinBeforeDueNs = 1'000'000;

// CREATE_WAITABLE_TIMER_HIGH_RESOLUTION, which mingw-w64's headers lack.
constexpr DWORD kHighResolution = 0x00000002;

// Sleeps about `ns`, or not at all where there is no high-resolution timer
// (before Windows 10 1803): the caller's spin then does the whole wait.
// CreateWaitableTimerExW, SetWaitableTimer (MSDN pages of those names).
void sleep_ns(long long ns) noexcept {
  const HANDLE timer = ::CreateWaitableTimerExW(nullptr, nullptr, kHighResolution, TIMER_ALL_ACCESS);
  if (timer == nullptr) return;
  LARGE_INTEGER due{};
  due.QuadPart = -(ns / 100);  // negative: relative, in 100 ns units
  if (::SetWaitableTimer(timer, &due, 0, nullptr, nullptr, FALSE)) ::WaitForSingleObject(timer, INFINITE);
  ::CloseHandle(timer);
}

}  // namespace

std::uint64_t OpenLoopTimer::wait_until(const TickClock& clock, std::uint64_t due) noexcept {
  const double margin = kSpinBeforeDueNs * clock.ticks_per_ns();
  std::uint64_t now = clock.stamp();
  if (now < due && static_cast<double>(due - now) > margin)
    sleep_ns(static_cast<long long>((static_cast<double>(due - now) - margin) / clock.ticks_per_ns()));
  while ((now = clock.stamp()) < due) cpu_relax();
  return now;
}

}  // namespace ipc::loop_detail

#include <time.h>

#include "ipc/cpu_relax.hpp"
#include "ipc/round_trip_loop.hpp"

namespace ipc::loop_detail {
namespace {

// How long before a ping is due the producer stops sleeping and spins:
// clock_nanosleep returns after the timer slack (50 us for a normal thread)
// and a wake-up, which on the development VM took up to ~60 us more than
// asked.  100 us covers both, so a ping goes out within a clock read of its
// due time, at the price of spinning up to 100 us per period (all of it
// above 10 k msg/s, where the period is shorter).
constexpr double kSpinBeforeDueNs = 100'000;

}  // namespace

std::uint64_t OpenLoopTimer::wait_until(const TickClock& clock, std::uint64_t due) noexcept {
  const double margin = kSpinBeforeDueNs * clock.ticks_per_ns();
  std::uint64_t now = clock.stamp();
  if (now < due && static_cast<double>(due - now) > margin) {
    const auto sleep_ns = static_cast<long long>((static_cast<double>(due - now) - margin) / clock.ticks_per_ns());
    const timespec pause{static_cast<time_t>(sleep_ns / 1'000'000'000), static_cast<long>(sleep_ns % 1'000'000'000)};
    ::clock_nanosleep(CLOCK_MONOTONIC, 0, &pause, nullptr);  // EINTR: the spin below finishes the wait
  }
  while ((now = clock.stamp()) < due) cpu_relax();
  return now;
}

}  // namespace ipc::loop_detail

#pragma once
// The floor's estimator (floor.hpp): the median of batch means, the
// estimator of the benchmark's repetitions (their summary shows the median
// of the repetitions' means).  A median of means ignores the batches a
// stall made long, which a single long batch's mean would absorb, and each
// mean still averages enough round trips to be above the clock's cost.
// Private to ipc_core.
#include <chrono>
#include <cstdint>
#include <functional>

#include "ipc/tick_clock.hpp"

namespace ipc::detail {

struct BatchBudget {
  std::chrono::nanoseconds total;  // what the batches should take together
  std::chrono::nanoseconds cap;    // the most they may take, warm-up included
  int batches = 15;
};

// run(n, stop): performs n round trips, or fewer once TickClock::stamp()
// has passed `stop` (checked every kStopCheck round trips, so that the check
// costs a clock read per kStopCheck round trips); returns how many it did.
using BatchRun = std::function<std::uint64_t(std::uint64_t n, std::uint64_t stop)>;
inline constexpr std::uint64_t kStopCheck = 16;

[[nodiscard]] inline bool past(std::uint64_t round_trip, std::uint64_t stop) noexcept {
  return round_trip % kStopCheck == kStopCheck - 1 && TickClock::instance().stamp() > stop;
}

// Calls run for a warm-up, doubling n from 1 until a call takes a quarter
// of a batch's share of the budget and has at least 64 round trips (which
// also wakes both CPUs out of their idle states); then `budget.batches`
// times with n sized from the warm-up's last call.  Timed with
// TickClock::now() around each call.  Returns the median of the batches'
// nanoseconds per round trip.  Every call gets the same stop, budget.cap
// after the first started, and none starts after it: on a machine so loaded
// that batches run long, the median is over the batches done (at least
// one), and the whole takes at most the cap and kStopCheck round trips.
// Whatever run throws goes through.
[[nodiscard]] double median_of_batch_means_ns(const BatchBudget& budget, const BatchRun& run);

}  // namespace ipc::detail

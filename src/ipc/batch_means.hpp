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

namespace ipc::detail {

struct BatchBudget {
  std::chrono::nanoseconds total;  // what the batches should take together
  std::chrono::nanoseconds cap;    // no batch starts after this much time, warm-up included
  int batches = 15;
};

// Calls run(n) to perform n round trips: first for a warm-up, doubling n
// until a call takes a quarter of a batch's share of the budget (which also
// wakes both CPUs out of their idle states), then `budget.batches` times
// with n sized from the warm-up.  Timed with TickClock::now() around each
// call.  Returns the median of the batches' nanoseconds per round trip, over
// the batches done when budget.cap cut them short (at least one).  Whatever
// run throws goes through.
[[nodiscard]] double median_of_batch_means_ns(const BatchBudget& budget,
                                              const std::function<void(std::uint64_t)>& run);

}  // namespace ipc::detail

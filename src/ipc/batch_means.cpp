#include "batch_means.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "ipc/tick_clock.hpp"

namespace ipc::detail {

double median_of_batch_means_ns(const BatchBudget& budget, const std::function<void(std::uint64_t)>& run) {
  const TickClock& clock = TickClock::instance();
  const double ticks_per_ns = clock.ticks_per_ns();
  const double batch_ns = static_cast<double>(budget.total.count()) / budget.batches;
  const std::uint64_t start = clock.now();
  const auto elapsed_ns = [&] { return static_cast<double>(clock.now() - start) / ticks_per_ns; };
  const auto timed_ns = [&](std::uint64_t n) {
    const std::uint64_t t0 = clock.now();
    run(n);
    return static_cast<double>(clock.now() - t0) / ticks_per_ns;
  };

  std::uint64_t n = 1;
  double warm_ns = timed_ns(n);
  while (warm_ns < batch_ns / 4 && elapsed_ns() < static_cast<double>(budget.cap.count())) {
    n *= 2;
    warm_ns = timed_ns(n);
  }
  const double per_round_trip = std::max(warm_ns / static_cast<double>(n), 1e-3);
  const auto per_batch = static_cast<std::uint64_t>(std::max(1.0, std::round(batch_ns / per_round_trip)));

  std::vector<double> means;
  means.reserve(static_cast<std::size_t>(budget.batches));
  for (int i = 0; i < budget.batches; ++i) {
    means.push_back(timed_ns(per_batch) / static_cast<double>(per_batch));
    if (elapsed_ns() >= static_cast<double>(budget.cap.count())) break;
  }
  std::ranges::sort(means);
  const std::size_t mid = means.size() / 2;
  return means.size() % 2 ? means[mid] : (means[mid - 1] + means[mid]) / 2;
}

}  // namespace ipc::detail

#include "batch_means.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace ipc::detail {
namespace {

// The warm-up's last call has at least this many round trips: the batches
// are sized from it, and a stall in a call of a handful would size them to
// a handful too, whose every mean would be a stall.
constexpr std::uint64_t kWarmUpRoundTrips = 64;

}  // namespace

double median_of_batch_means_ns(const BatchBudget& budget, const BatchRun& run) {
  const TickClock& clock = TickClock::instance();
  const double ticks_per_ns = clock.ticks_per_ns();
  const double batch_ns = static_cast<double>(budget.total.count()) / budget.batches;
  const std::uint64_t start = clock.now();
  const std::uint64_t stop = start + static_cast<std::uint64_t>(static_cast<double>(budget.cap.count()) * ticks_per_ns);
  // Nanoseconds per round trip of one call, and the call's length.
  struct Call {
    double per_round_trip, ns;
  };
  const auto timed = [&](std::uint64_t n) {
    const std::uint64_t t0 = clock.now();
    const std::uint64_t done = std::max<std::uint64_t>(run(n, stop), 1);
    const double ns = static_cast<double>(clock.now() - t0) / ticks_per_ns;
    return Call{ns / static_cast<double>(done), ns};
  };

  std::uint64_t n = 1;
  Call warm = timed(n);
  while ((warm.ns < batch_ns / 4 || n < kWarmUpRoundTrips) && clock.now() < stop) warm = timed(n *= 2);
  const auto per_batch =
      static_cast<std::uint64_t>(std::max(1.0, std::round(batch_ns / std::max(warm.per_round_trip, 1e-3))));

  std::vector<double> means;
  means.reserve(static_cast<std::size_t>(budget.batches));
  for (int i = 0; i < budget.batches && (i == 0 || clock.now() < stop); ++i)
    means.push_back(timed(per_batch).per_round_trip);
  std::ranges::sort(means);
  const std::size_t mid = means.size() / 2;
  return means.size() % 2 ? means[mid] : (means[mid - 1] + means[mid]) / 2;
}

}  // namespace ipc::detail

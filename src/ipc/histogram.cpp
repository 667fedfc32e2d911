#include "ipc/histogram.hpp"

#include <algorithm>
#include <cmath>

namespace ipc {

void LatencyHistogram::reset() noexcept {
  std::ranges::fill(counts_, 0);
  count_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
}

std::uint64_t LatencyHistogram::lowest_in(std::size_t bucket) noexcept {
  if (bucket < 2 * kSubBuckets) return bucket;
  const std::uint64_t shift = bucket / kSubBuckets - 1;
  return (bucket % kSubBuckets + kSubBuckets) << shift;
}

std::uint64_t LatencyHistogram::highest_in(std::size_t bucket) noexcept {
  if (bucket < 2 * kSubBuckets) return bucket;
  const std::uint64_t shift = bucket / kSubBuckets - 1;
  return lowest_in(bucket) + ((std::uint64_t{1} << shift) - 1);
}

std::uint64_t LatencyHistogram::count_at_most(std::uint64_t value) const noexcept {
  const std::size_t last = bucket_of(value);
  std::uint64_t seen = 0;
  for (std::size_t b = 0; b <= last; ++b) seen += counts_[b];
  return seen;
}

double LatencyHistogram::percentile(double q) const noexcept {
  if (count_ == 0) return 0;
  if (q <= 0) return static_cast<double>(min_);
  if (q >= 1) return static_cast<double>(max_);
  // ceil(q * count), forgiving the rounding of q itself: 0.99 * 100 is
  // 99.00000000000001 in binary floating point, and means rank 99.
  const double exact = q * static_cast<double>(count_);
  auto rank = static_cast<std::uint64_t>(exact);
  if (static_cast<double>(rank) < exact * (1 - 1e-12)) ++rank;
  rank = std::max<std::uint64_t>(rank, 1);
  std::uint64_t seen = 0;
  for (std::size_t b = 0; b < counts_.size(); ++b) {
    seen += counts_[b];
    if (seen >= rank) {
      const double mid = (static_cast<double>(lowest_in(b)) + static_cast<double>(highest_in(b))) / 2;
      return std::clamp(mid, static_cast<double>(min_), static_cast<double>(max_));
    }
  }
  return static_cast<double>(max_);
}

}  // namespace ipc

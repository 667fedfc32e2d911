#pragma once
// LatencyHistogram: a fixed-size log-linear histogram of round-trip times.
//
// Values (timer ticks) below 256 are counted exactly.  Above, every power of
// two [2^k, 2^(k+1)) is split into 128 equal buckets, so a bucket is at most
// 1/128 of its lower bound wide: reporting its midpoint is within 0.4% of any
// value in it.  All 7424 buckets are allocated up front; record() is a
// count-leading-zeros, a shift and an increment, and never allocates.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ipc {

class LatencyHistogram {
 public:
  static constexpr unsigned kSubBucketBits = 7;
  static constexpr std::uint64_t kSubBuckets = std::uint64_t{1} << kSubBucketBits;  // per power of two
  // [0, 256) one bucket per value, then 128 per power of two from 2^8 to 2^63.
  static constexpr std::size_t kBuckets = (64 - kSubBucketBits + 1) * kSubBuckets;

  LatencyHistogram() : counts_(kBuckets, 0) {}

  void record(std::uint64_t value) noexcept {
    ++counts_[bucket_of(value)];
    ++count_;
    if (value < min_) min_ = value;
    if (value > max_) max_ = value;
  }

  void reset() noexcept;

  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] std::uint64_t min() const noexcept { return count_ ? min_ : 0; }
  [[nodiscard]] std::uint64_t max() const noexcept { return max_; }

  // The nearest-rank percentile: the smallest recorded value v such that at
  // least ceil(q * count) values are <= v, to within the bucket's width
  // (the bucket's midpoint, clamped to [min, max]).  q in [0, 1]; q = 0 is
  // min() and q = 1 is max(), both exact.  0 when empty.
  [[nodiscard]] double percentile(double q) const noexcept;

  // How many recorded values are at most `value`, to within the bucket's
  // width: every value in `value`'s bucket counts.
  [[nodiscard]] std::uint64_t count_at_most(std::uint64_t value) const noexcept;

  // Bucket arithmetic, public for the tests.
  [[nodiscard]] static std::size_t bucket_of(std::uint64_t value) noexcept {
    if (value < 2 * kSubBuckets) return static_cast<std::size_t>(value);
    const unsigned shift = static_cast<unsigned>(std::bit_width(value)) - 1 - kSubBucketBits;
    return static_cast<std::size_t>((shift + 1) * kSubBuckets + ((value >> shift) - kSubBuckets));
  }
  [[nodiscard]] static std::uint64_t lowest_in(std::size_t bucket) noexcept;
  [[nodiscard]] static std::uint64_t highest_in(std::size_t bucket) noexcept;

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
};

}  // namespace ipc

// The percentile engine against exact nearest-rank percentiles of known
// samples: uniform, skewed and bimodal, small and large values.
#include "ipc/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace ipc {
namespace {

// Nearest rank with q = num / den, in integers: the value at 1-based rank
// ceil(num * n / den), at least 1.
std::uint64_t exact_percentile(std::vector<std::uint64_t> samples, std::uint64_t num, std::uint64_t den) {
  std::ranges::sort(samples);
  const std::uint64_t n = samples.size();
  const std::uint64_t rank = std::max<std::uint64_t>(1, (num * n + den - 1) / den);
  return samples[rank - 1];
}

void expect_percentiles_match(const std::vector<std::uint64_t>& samples) {
  LatencyHistogram histogram;
  for (const std::uint64_t s : samples) histogram.record(s);
  ASSERT_EQ(histogram.count(), samples.size());
  EXPECT_EQ(histogram.min(), *std::ranges::min_element(samples));
  EXPECT_EQ(histogram.max(), *std::ranges::max_element(samples));
  struct Q {
    double q;
    std::uint64_t num, den;
  };
  for (const Q q : {Q{0.0, 0, 1}, Q{0.5, 1, 2}, Q{0.9, 9, 10}, Q{0.99, 99, 100}, Q{0.999, 999, 1000}, Q{1.0, 1, 1}}) {
    const double exact = static_cast<double>(exact_percentile(samples, q.num, q.den));
    const double got = histogram.percentile(q.q);
    // Within half a bucket: 1/256 of the value, or exact below 256.
    EXPECT_LE(std::abs(got - exact), exact / 256 + 0.5) << "q=" << q.q << " exact=" << exact << " got=" << got;
  }
}

TEST(LatencyHistogram, BucketsAreContiguousAndBounded) {
  std::uint64_t expected_low = 0;
  for (std::size_t b = 0; b < LatencyHistogram::kBuckets; ++b) {
    ASSERT_EQ(LatencyHistogram::lowest_in(b), expected_low) << b;
    const std::uint64_t high = LatencyHistogram::highest_in(b);
    ASSERT_EQ(LatencyHistogram::bucket_of(expected_low), b);
    ASSERT_EQ(LatencyHistogram::bucket_of(high), b);
    // Relative width at most 1/128: the ~1% error bound of the issue.
    ASSERT_LE(static_cast<double>(high - expected_low), static_cast<double>(expected_low) / 128 + 1e-9) << b;
    expected_low = high + 1;  // wraps to 0 after the last bucket
  }
  EXPECT_EQ(expected_low, 0u);
  EXPECT_EQ(LatencyHistogram::bucket_of(UINT64_MAX), LatencyHistogram::kBuckets - 1);
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  std::vector<std::uint64_t> samples;
  for (std::uint64_t v = 1; v <= 200; ++v) samples.push_back(v);
  LatencyHistogram histogram;
  for (const auto s : samples) histogram.record(s);
  EXPECT_EQ(histogram.percentile(0.5), 100);
  EXPECT_EQ(histogram.percentile(0.9), 180);
  EXPECT_EQ(histogram.percentile(0.99), 198);
  EXPECT_EQ(histogram.percentile(0.999), 200);
}

TEST(LatencyHistogram, Uniform) {
  std::mt19937_64 random(1);
  std::uniform_int_distribution<std::uint64_t> uniform(100, 1'000'000);
  std::vector<std::uint64_t> samples(100'000);
  for (auto& s : samples) s = uniform(random);
  expect_percentiles_match(samples);
}

TEST(LatencyHistogram, SkewedWithALongTail) {
  std::mt19937_64 random(2);
  std::lognormal_distribution<double> lognormal(std::log(200.0), 0.8);
  std::vector<std::uint64_t> samples(200'000);
  for (auto& s : samples) s = static_cast<std::uint64_t>(lognormal(random)) + 1;
  expect_percentiles_match(samples);
}

TEST(LatencyHistogram, BimodalLikeANearAndFarPlacement) {
  std::mt19937_64 random(3);
  std::normal_distribution<double> near(180, 10), far(1200, 60);
  std::vector<std::uint64_t> samples;
  for (int i = 0; i < 70'000; ++i) samples.push_back(static_cast<std::uint64_t>(std::max(1.0, near(random))));
  for (int i = 0; i < 30'000; ++i) samples.push_back(static_cast<std::uint64_t>(std::max(1.0, far(random))));
  expect_percentiles_match(samples);
  LatencyHistogram histogram;
  for (const auto s : samples) histogram.record(s);
  EXPECT_LT(histogram.percentile(0.5), 300);   // in the near mode
  EXPECT_GT(histogram.percentile(0.9), 1000);  // in the far mode
}

TEST(LatencyHistogram, HugeValuesAndOutliers) {
  std::vector<std::uint64_t> samples(999, 5000);
  samples.push_back(UINT64_MAX / 3);
  expect_percentiles_match(samples);
}

TEST(LatencyHistogram, RankRoundingDoesNotSkipAValue) {
  // 0.99 * 100 is 99.00000000000001 in doubles: rank 99, not 100.
  LatencyHistogram histogram;
  for (std::uint64_t v = 1; v <= 100; ++v) histogram.record(v);
  EXPECT_EQ(histogram.percentile(0.99), 99);
}

TEST(LatencyHistogram, EmptyAndReset) {
  LatencyHistogram histogram;
  EXPECT_EQ(histogram.percentile(0.5), 0);
  histogram.record(42);
  EXPECT_EQ(histogram.percentile(0.5), 42);
  histogram.reset();
  EXPECT_EQ(histogram.count(), 0u);
  EXPECT_EQ(histogram.min(), 0u);
  EXPECT_EQ(histogram.max(), 0u);
}

}  // namespace
}  // namespace ipc

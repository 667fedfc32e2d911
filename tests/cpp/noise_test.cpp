// The noise probe: GapRecorder on synthetic clock readings (an injected
// gap, the threshold's edge, many gaps in fixed storage), then the real
// probe, whose gaps the machine decides: only the report's shape is checked.
#include "ipc/noise.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <vector>

#include "ipc/error.hpp"
#include "ipc/placement.hpp"

namespace ipc {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t kStep = 30;          // a loop step, in ticks
constexpr std::uint64_t kThreshold = 1000;   // ticks
constexpr std::uint64_t kGap = 5'000'000;    // ticks: 5 ms at one tick per ns

TEST(GapRecorder, CountsOneInjectedGap) {
  GapRecorder recorder(kThreshold);
  std::uint64_t t = 1'000'000;
  for (int i = 0; i < 100'000; ++i) recorder.feed(t += kStep);
  recorder.feed(t += kGap);
  for (int i = 0; i < 100'000; ++i) recorder.feed(t += kStep);

  EXPECT_EQ(recorder.readings(), 200'001u);
  EXPECT_EQ(recorder.gaps(), 1u);
  EXPECT_EQ(recorder.max_gap_ticks(), kGap);
  EXPECT_EQ(recorder.lost_ticks(), kGap);
  const std::uint64_t span = 199'999 * kStep + kGap;
  EXPECT_EQ(recorder.span_ticks(), span);
  EXPECT_DOUBLE_EQ(recorder.lost_share(), static_cast<double>(kGap) / static_cast<double>(span));
  EXPECT_EQ(recorder.smallest_step_ticks(), kStep);
  // One gap: its 99.9th percentile is itself, to within the histogram's 1/128.
  EXPECT_NEAR(recorder.p999_gap_ticks(), static_cast<double>(kGap), kGap / 128.0);
}

TEST(GapRecorder, AStepAtTheThresholdIsNotAGap) {
  GapRecorder recorder(kThreshold);
  std::uint64_t t = 0;
  recorder.feed(t);
  recorder.feed(t += kThreshold);
  recorder.feed(t += kThreshold + 1);
  EXPECT_EQ(recorder.gaps(), 1u);
  EXPECT_EQ(recorder.max_gap_ticks(), kThreshold + 1);
  EXPECT_EQ(recorder.lost_ticks(), kThreshold + 1);
  EXPECT_EQ(recorder.smallest_step_ticks(), kThreshold);
}

TEST(GapRecorder, NothingFedIsEmpty) {
  const GapRecorder recorder(kThreshold);
  EXPECT_EQ(recorder.readings(), 0u);
  EXPECT_EQ(recorder.span_ticks(), 0u);
  EXPECT_EQ(recorder.gaps(), 0u);
  EXPECT_EQ(recorder.max_gap_ticks(), 0u);
  EXPECT_EQ(recorder.p999_gap_ticks(), 0.0);
  EXPECT_EQ(recorder.lost_share(), 0.0);
  EXPECT_EQ(recorder.smallest_step_ticks(), 0u);
}

TEST(GapRecorder, ARepeatedOrEarlierReadingIsNoStep) {
  GapRecorder recorder(kThreshold);
  recorder.feed(10'000);
  recorder.feed(10'000);
  recorder.feed(9'000);  // never from one thread's clock; must not wrap to a huge gap
  recorder.feed(10'010);
  EXPECT_EQ(recorder.gaps(), 0u);
  EXPECT_EQ(recorder.span_ticks(), 10u);
  EXPECT_EQ(recorder.smallest_step_ticks(), 10u);
}

// A million gaps in the storage it was built with: the counts stay exact
// and the percentile within the histogram's resolution.  Gaps 2000..2999
// ticks, each value 1000 times: the 99.9th percentile is 2998 or 2999.
TEST(GapRecorder, ManyGapsInFixedStorage) {
  GapRecorder recorder(kThreshold);
  const std::size_t size_before = sizeof recorder;
  std::uint64_t t = 0, lost = 0;
  recorder.feed(t);
  for (int round = 0; round < 1000; ++round)
    for (std::uint64_t gap = 2000; gap < 3000; ++gap) {
      recorder.feed(t += gap);
      recorder.feed(t += kStep);
      lost += gap;
    }
  EXPECT_EQ(sizeof recorder, size_before);
  EXPECT_EQ(recorder.gaps(), 1'000'000u);
  EXPECT_EQ(recorder.max_gap_ticks(), 2999u);
  EXPECT_EQ(recorder.lost_ticks(), lost);
  EXPECT_NEAR(recorder.p999_gap_ticks(), 2998.5, 2999 / 128.0);
  EXPECT_NEAR(recorder.lost_share(), static_cast<double>(lost) / static_cast<double>(t), 1e-12);
}

TEST(NoiseThreshold, DefaultIsAtLeastAMicrosecond) {
  const double threshold = default_noise_threshold_ns();
  EXPECT_GE(threshold, 1000.0);
  EXPECT_TRUE(std::isfinite(threshold));
}

void expect_sane(const NoiseReport& report, int cpu, double threshold_ns) {
  EXPECT_EQ(report.cpu, cpu);
  EXPECT_EQ(report.threshold_ns, threshold_ns);
  // 20 ms of spinning: the span is 20 ms and a last step; a loaded machine
  // may have taken the CPU for that last step too, so only a loose bound.
  EXPECT_GE(report.seconds, 0.02);
  EXPECT_LT(report.seconds, 1.0);
  EXPECT_GE(report.lost_share, 0.0);
  EXPECT_LE(report.lost_share, 1.0);
  EXPECT_NEAR(report.gaps_per_second, static_cast<double>(report.gaps) / report.seconds, 1e-6);
  if (report.gaps == 0) {
    EXPECT_EQ(report.max_gap_ns, 0.0);
  } else {
    EXPECT_GT(report.max_gap_ns, threshold_ns);
    EXPECT_LE(report.p999_gap_ns, report.max_gap_ns);
  }
  EXPECT_GT(report.clock_step_ns, 0.0);
}

TEST(ProbeNoise, OneCpuFor20Ms) {
  const int cpu = allowed_cpus().front();
  const double threshold = default_noise_threshold_ns();
  const NoiseReport report = probe_noise(cpu, 20ms, threshold);
  expect_sane(report, cpu, threshold);
  RecordProperty("gaps", static_cast<int>(report.gaps));
}

TEST(ProbeNoise, AllCpusAtOnceIn20Ms) {
  const std::vector<int> cpus = allowed_cpus();
  const double threshold = default_noise_threshold_ns();
  const std::vector<NoiseReport> reports = probe_noise(cpus, 20ms, threshold);
  ASSERT_EQ(reports.size(), cpus.size());
  for (std::size_t i = 0; i < cpus.size(); ++i) expect_sane(reports[i], cpus[i], threshold);
}

TEST(ProbeNoise, RefusesWhatCannotBeProbed) {
  const int cpu = allowed_cpus().front();
  EXPECT_THROW((void)probe_noise(cpu, 0ms, 1000.0), Error);
  EXPECT_THROW((void)probe_noise(cpu, 20ms, 0.0), Error);
  EXPECT_THROW((void)probe_noise(std::vector<int>{cpu, cpu}, 20ms, 1000.0), Error);
  EXPECT_THROW((void)probe_noise(1000, 20ms, 1000.0), Error);
}

TEST(StealTime, ReadsProcStatOnLinux) {
#ifdef _WIN32
  EXPECT_FALSE(steal_ns(0).has_value());
#else
  EXPECT_TRUE(steal_ns(allowed_cpus().front()).has_value());
#endif
  EXPECT_FALSE(steal_ns(-1).has_value());
  EXPECT_FALSE(steal_ns(1 << 20).has_value());
}

}  // namespace
}  // namespace ipc

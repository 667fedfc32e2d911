// The machine's floor: each measurement runs and gives a positive, finite
// figure on this machine, whatever its load; the figure itself is the
// machine's and is not checked.
#include "ipc/floor.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ipc/error.hpp"
#include "ipc/placement.hpp"

namespace ipc {
namespace {

// No test machine has it online (and Windows' masks stop at 63): pinning fails.
constexpr int kNoSuchCpu = 1000;

void expect_positive(double ns) {
  EXPECT_GT(ns, 0.0);
  EXPECT_TRUE(std::isfinite(ns));
}

TEST(Floor, CachelineBetweenTwoCpus) {
  const std::vector<int> cpus = allowed_cpus();
  if (cpus.size() < 2) GTEST_SKIP() << "one allowed CPU: no pair to measure";
  const double ns = cacheline_round_trip_ns(cpus[0], cpus[1]);
  expect_positive(ns);
  RecordProperty("cacheline_ns", static_cast<int>(ns));
}

TEST(Floor, CachelineRefusesOneCpu) {
  const int cpu = allowed_cpus().front();
  EXPECT_THROW((void)cacheline_round_trip_ns(cpu, cpu), Error);
}

TEST(Floor, CachelineRefusesACpuItCannotPin) {
  const int cpu = allowed_cpus().front();
  EXPECT_THROW((void)cacheline_round_trip_ns(cpu, kNoSuchCpu), Error);
  EXPECT_THROW((void)cacheline_round_trip_ns(kNoSuchCpu, cpu), Error);
}

TEST(Floor, WakeupOnOneCpu) {
  const int cpu = allowed_cpus().front();
  const double ns = wakeup_round_trip_ns(cpu, cpu);
  expect_positive(ns);
  RecordProperty("wakeup_same_ns", static_cast<int>(ns));
}

TEST(Floor, WakeupBetweenTwoCpus) {
  const std::vector<int> cpus = allowed_cpus();
  if (cpus.size() < 2) GTEST_SKIP() << "one allowed CPU: no pair to measure";
  const double ns = wakeup_round_trip_ns(cpus[0], cpus[1]);
  expect_positive(ns);
  RecordProperty("wakeup_split_ns", static_cast<int>(ns));
}

TEST(Floor, WakeupRefusesACpuItCannotPin) {
  const int cpu = allowed_cpus().front();
  EXPECT_THROW((void)wakeup_round_trip_ns(cpu, kNoSuchCpu), Error);
}

}  // namespace
}  // namespace ipc

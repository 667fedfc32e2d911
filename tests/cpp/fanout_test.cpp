// --fanout: one producer, N consumers, each receiver's delivery latency.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/types.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ipc/consumer_path.hpp"
#include "ipc/error.hpp"
#include "ipc/fanout.hpp"
#include "ipc/placement.hpp"
#include "ipc/registry.hpp"
#include "temp_tree.hpp"
#include "test_support.hpp"

namespace ipc {
namespace {

// The consumers, in the order they were spawned.
std::vector<pid_t> receivers() {
  std::vector<pid_t> pids = test::children_of(test::own_pid());
  std::ranges::sort(pids);
  return pids;
}

test::CommandResult ipc_bench(std::vector<std::string> args) {
  args.insert(args.begin(), test::built("ipc_bench"));
  return test::run_command(args);
}

nlohmann::json run_json(std::vector<std::string> args, const std::filesystem::path& out) {
  args.insert(args.end(), {"--json", out.string()});
  const auto result = ipc_bench(args);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  std::ifstream in(out);
  return nlohmann::json::parse(in);
}

// One test per transport that fans out, each its own way.
class FanoutOf : public ::testing::TestWithParam<const char*> {
 protected:
  // `n` consumers spread over the allowed CPUs beside the first, as
  // ipc_bench places them (unpinned with one CPU).  Skips where a spinning
  // transport's receivers would share a CPU: each round trip would then
  // wait for the scheduler to preempt a spinner.
  std::unique_ptr<Fanout> start(unsigned n, std::chrono::milliseconds timeout = test::reply_timeout(64)) {
    const Transport* t = find_transport(GetParam());
    const std::vector<int> cpus = allowed_cpus();
    if (t->spins && cpus.size() < n + 1) {
      skipped_ = fmt::format("{} receivers spinning need {} CPUs with the producer's; {} allowed here", n, n + 1,
                             cpus.size());
      return nullptr;
    }
    std::vector<std::optional<int>> placed;
    for (unsigned i = 0; i < n; ++i)
      placed.push_back(cpus.size() >= 2 ? std::optional<int>(cpus[1 + i % (cpus.size() - 1)]) : std::nullopt);
    return t->start_fanout({{64, consumer_path(t->consumer), std::nullopt, timeout}, placed});
  }
  std::string skipped_;

  // Nothing left: no consumer, no /dev/shm entry, no socket directory.
  static void expect_nothing_left() {
    EXPECT_TRUE(receivers().empty());
    EXPECT_EQ(test::leftovers_of(test::own_pid()), std::vector<std::string>{});
  }
};

TEST_P(FanoutOf, EveryReceiverAnswersEveryPingAndHasADeliveryEach) {
  auto runner = start(3);
  if (!runner) GTEST_SKIP() << skipped_;
  LatencyHistogram round_trips;
  Batch batch{500, Timing::every_round_trip, &round_trips};
  runner->run(batch);
  ASSERT_EQ(runner->deliveries().size(), 3u);
  for (const LatencyHistogram& d : runner->deliveries()) {
    EXPECT_EQ(d.count(), 500u);
    // Each sample's round trip ends after that receiver had the ping.
    EXPECT_LE(d.max(), round_trips.max());
    EXPECT_LE(d.percentile(0.5), round_trips.percentile(0.5) * 1.01);
  }
  EXPECT_EQ(round_trips.count(), 500u);
  runner->finish();
  expect_nothing_left();
}

TEST_P(FanoutOf, AKilledReceiverFailsTheRunNamingIt) {
  auto runner = start(3);
  if (!runner) GTEST_SKIP() << skipped_;
  runner->round_trips(10);
  const std::vector<pid_t> pids = receivers();
  ASSERT_EQ(pids.size(), 3u);
  test::kill_process(pids[1]);
  try {
    runner->round_trips(10);
    FAIL() << "a killed receiver went unnoticed";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("receiver 1 of 3"), std::string::npos) << e.what();
  }
  runner.reset();
  expect_nothing_left();
}

TEST_P(FanoutOf, AFrozenReceiverFailsWithinTheTimeoutNamingIt) {
  const auto timeout = std::chrono::milliseconds(300) * test::build_slowdown();
  auto runner = start(2, timeout);
  if (!runner) GTEST_SKIP() << skipped_;
  runner->round_trips(10);
  const std::vector<pid_t> pids = receivers();
  ASSERT_EQ(pids.size(), 2u);
  ASSERT_TRUE(test::freeze_process(pids[1]));
  const auto start = std::chrono::steady_clock::now();
  try {
    runner->round_trips(10);
    FAIL() << "a frozen receiver went unnoticed";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("receiver 1 of 2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("no reply within"), std::string::npos) << e.what();
  }
  // The watchdog's tick and the kill on top of the timeout; never a hang.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3 * timeout + std::chrono::seconds(2));
  runner.reset();
  expect_nothing_left();
}

INSTANTIATE_TEST_SUITE_P(Fanout, FanoutOf,
                         ::testing::Values("pipe", "udp", "eventfd", "unix_dgram", "shm_futex", "shm_spin"),
                         [](const auto& info) { return std::string(info.param); });

// Where the producer and every spinner cannot have a CPU each, shm_spin's
// fan-out is refused with the reason; where they can, it runs.
TEST(Fanout, SpinnersThatWouldShareACpuAreRefused) {
  const std::size_t cpus = allowed_cpus().size();
  if (cpus < 2) GTEST_SKIP() << "one allowed CPU: no placement splits the producer from a consumer here";
  const auto result = ipc_bench({"-t", "shm_spin", "-p", "64", "--fanout", std::to_string(cpus), "-n", "100"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find(fmt::format("{} busy-waiting consumers need a CPU each beside the producer's; {} allowed",
                                        cpus, cpus)),
            std::string::npos)
      << result.err;
  EXPECT_TRUE(receivers().empty());
}

TEST(Fanout, SpinnersWithACpuEachRun) {
  const std::size_t cpus = allowed_cpus().size();
  if (cpus < 3) GTEST_SKIP() << "two spinning receivers and the producer need 3 CPUs; " << cpus << " allowed here";
  const test::TempTree dir;
  const nlohmann::json json = run_json({"-t", "shm_spin", "-p", "64", "--fanout", "2", "-n", "300"}, dir.root() / "s.json");
  ASSERT_EQ(json.at("benchmarks").size(), 1u);
  EXPECT_GT(json.at("benchmarks")[0].at("r1_p50_ns").get<double>(), 0);
}

// A receiver of one segment (shm_spin's, shm_futex's) started with a slot
// the segment cannot have, or a payload without room for the stamp, says so
// in one line before it maps anything.
TEST(Fanout, AReceiverOutsideItsSegmentIsRefusedInOneLine) {
  for (const char* consumer : {"shm_consumer", "shm_futex_consumer"}) {
    const auto beyond = test::run_command({test::built(consumer), "--name", "/ipc_bench-none", "--payload", "64",
                                           "--stamp", "--receiver", "2", "--receivers", "2"});
    EXPECT_EQ(beyond.exit_code, 1) << consumer;
    ASSERT_EQ(test::lines(beyond.err).size(), 1u) << beyond.err;
    EXPECT_NE(beyond.err.find("receiver 2 of 2"), std::string::npos) << beyond.err;
    const auto small = test::run_command({test::built(consumer), "--name", "/ipc_bench-none", "--payload", "8",
                                          "--stamp", "--receiver", "0", "--receivers", "2"});
    EXPECT_EQ(small.exit_code, 1) << consumer;
    ASSERT_EQ(test::lines(small.err).size(), 1u) << small.err;
    EXPECT_NE(small.err.find("at least 16 bytes"), std::string::npos) << small.err;
  }
}

TEST(Fanout, OneIsTodaysNamesAndAboveOneGainsFanoutAndPerReceiverCounters) {
  const test::TempTree dir;
  const nlohmann::json json = run_json({"-t", "pipe", "-p", "64", "--fanout", "1,2", "-n", "300"}, dir.root() / "f.json");
  std::vector<std::string> names;
  for (const auto& b : json.at("benchmarks")) {
    const std::string name = b.at("run_name").get<std::string>();
    names.push_back(name);
    const bool fans = name.find("/fanout:2") != std::string::npos;
    EXPECT_EQ(b.contains("r0_p50_ns"), fans) << name;
    EXPECT_EQ(b.contains("spread_p99"), fans) << name;
    if (!fans) continue;
    for (const char* r : {"r0", "r1"}) {
      EXPECT_GT(b.at(fmt::format("{}_p50_ns", r)).get<double>(), 0);
      EXPECT_LE(b.at(fmt::format("{}_p99_ns", r)).get<double>(), b.at(fmt::format("{}_max_ns", r)).get<double>() * 1.01);
      EXPECT_LE(b.at(fmt::format("{}_max_ns", r)).get<double>(), b.at("max_ns").get<double>() * 1.01);
    }
    EXPECT_FALSE(b.contains("r2_p50_ns"));
    EXPECT_GE(b.at("spread_p99").get<double>(), 1.0);
  }
  const std::string placement = allowed_cpus().size() >= 2 ? "split" : "same";
  EXPECT_EQ(names, (std::vector<std::string>{
                       fmt::format("pipe/payload:64/placement:{}/iterations:300/real_time", placement),
                       fmt::format("pipe/payload:64/placement:{}/fanout:2/iterations:300/real_time", placement)}));
}

TEST(Fanout, ATransportThatDoesNotFanOutIsSkippedBesideOneThatDoes) {
  const test::TempTree dir;
  const auto result = ipc_bench({"-t", "pipe,shm_sem", "-p", "64", "--fanout", "2", "-n", "100"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("fan-out 2: does not fan out"), std::string::npos) << result.out;
}

class FanoutRefused : public ::testing::TestWithParam<std::pair<std::vector<std::string>, std::string>> {};

TEST_P(FanoutRefused, InOneLine) {
  const auto& [args, expected] = GetParam();
  const auto result = ipc_bench(args);
  EXPECT_EQ(result.exit_code, 2);
  const auto err = test::lines(result.err);
  ASSERT_EQ(err.size(), 1u) << result.err;
  EXPECT_NE(err[0].find(expected), std::string::npos) << err[0];
}

INSTANTIATE_TEST_SUITE_P(
    Fanout, FanoutRefused,
    ::testing::Values(
        std::pair{std::vector<std::string>{"-t", "pipe", "-p", "64", "--fanout", "65"}, "invalid --fanout '65'"},
        std::pair{std::vector<std::string>{"-t", "pipe", "-p", "64", "--fanout", "0"}, "invalid --fanout '0'"},
        std::pair{std::vector<std::string>{"-t", "shm_sem", "-p", "64", "--fanout", "2"}, "shm_sem does not fan out"},
        std::pair{std::vector<std::string>{"-t", "pipe", "--fanout", "2"}, "at least 16 bytes"},
        std::pair{std::vector<std::string>{"-t", "pipe", "-p", "64", "--fanout", "2", "--rate", "1k"},
                  "closed loop only"}));

}  // namespace
}  // namespace ipc

// One timed pass: every figure of a result describes the same round trips,
// one consumer per benchmark, CPU time per side, the maximum over
// repetitions.  Through the registry (every transport) and through
// ipc_bench as a user runs it.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "ipc/batch.hpp"
#include "ipc/consumer_path.hpp"
#include "ipc/histogram.hpp"
#include "ipc/registry.hpp"
#include "test_support.hpp"

namespace ipc {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> transport_names() {
  std::vector<std::string> names;
  for (const Transport& t : transports()) names.emplace_back(t.name);
  return names;
}

class TimedBatch : public ::testing::TestWithParam<std::string> {};

TEST_P(TimedBatch, EveryFigureDescribesTheSameRoundTrips) {
  const Transport& transport = *find_transport(GetParam());
  IPC_SKIP_IF_UNAVAILABLE(transport);
  for (const std::size_t payload : {1, 64, 4096}) {
    SCOPED_TRACE(testing::Message() << GetParam() << " payload " << payload);
    const auto runner = transport.start({payload, consumer_path(transport.consumer), std::nullopt, std::chrono::seconds(5)});
    runner->round_trips(50);
    LatencyHistogram histogram;
    Batch batch{500, Timing::every_round_trip, &histogram};
    runner->run(batch);
    runner->finish();
    ASSERT_EQ(histogram.count(), 500u);  // no sample cap, none lost
    const double min = histogram.percentile(0), max = histogram.percentile(1);
    const double mean = static_cast<double>(batch.ticks) / 500.0;
    EXPECT_LE(min, histogram.percentile(0.5));
    EXPECT_LE(histogram.percentile(0.5), histogram.percentile(0.9));
    EXPECT_LE(histogram.percentile(0.9), histogram.percentile(0.99));
    EXPECT_LE(histogram.percentile(0.99), histogram.percentile(0.999));
    EXPECT_LE(histogram.percentile(0.999), max);
    EXPECT_LE(min, mean);
    EXPECT_LE(mean, max);
    EXPECT_GT(min, 0.0);
  }
}

INSTANTIATE_TEST_SUITE_P(Registry, TimedBatch, ::testing::ValuesIn(transport_names()),
                         [](const auto& info) { return info.param; });

// ---- ipc_bench as a user runs it ----

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("ipc_bench_measure_" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

test::CommandResult ipc_bench(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
  args.insert(args.begin(), test::built("ipc_bench"));
  return test::run_command(args, std::chrono::seconds(120), env);
}

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

std::vector<nlohmann::json> iteration_runs(const nlohmann::json& json, const std::string& prefix) {
  std::vector<nlohmann::json> runs;
  for (const auto& b : json.at("benchmarks"))
    if (b.at("run_type") == "iteration" && b.at("name").get<std::string>().starts_with(prefix)) runs.push_back(b);
  return runs;
}

TEST(OneTimedPass, EveryResultOrdersItsFiguresAndKeepsItsName) {
  const TempDir dir;
  const fs::path out = dir.path / "out.json";
  const auto result = ipc_bench({"-t", "pipe,udp,shm_spin", "-p", "1,64,4096", "-n", "2000", "--warmup", "100",
                                 "--json", out.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = read_json(out);
  ASSERT_EQ(json.at("benchmarks").size(), 9u);
  for (const auto& b : json.at("benchmarks")) {
    SCOPED_TRACE(b.at("name").get<std::string>());
    EXPECT_TRUE(b.at("name").get<std::string>().ends_with("/real_time"));
    const double mean = b.at("real_time");
    EXPECT_LE(b.at("min_ns").get<double>(), b.at("p50_ns").get<double>());
    EXPECT_LE(b.at("p50_ns").get<double>(), b.at("p90_ns").get<double>());
    EXPECT_LE(b.at("p90_ns").get<double>(), b.at("p99_ns").get<double>());
    EXPECT_LE(b.at("p99_ns").get<double>(), b.at("p999_ns").get<double>());
    EXPECT_LE(b.at("p999_ns").get<double>(), b.at("max_ns").get<double>());
    // The histogram reports a bucket's midpoint clamped to [min, max]; min and max are exact.
    EXPECT_LE(b.at("min_ns").get<double>(), mean * 1.000001);
    EXPECT_LE(mean, b.at("max_ns").get<double>() * 1.000001);
    EXPECT_GT(b.at("producer_cpu_ns").get<double>(), 0.0);
    EXPECT_TRUE(b.contains("consumer_cpu_ns"));
  }
}

// Wrappers named like the consumers, in a directory given as
// IPC_BENCH_CONSUMER_DIR: each start appends the transport to a log, then
// becomes the real consumer.
void write_counting_consumer(const fs::path& dir, const std::string& consumer, const fs::path& log) {
  const fs::path script = dir / consumer;
  std::ofstream(script) << fmt::format("#!/bin/sh\necho {} >> '{}'\nexec '{}' \"$@\"\n", consumer, log.string(),
                                       test::built(consumer));
  fs::permissions(script, fs::perms::owner_all);
}

TEST(OneTimedPass, OneConsumerPerBenchmarkWhateverTheTrialsAndRepetitions) {
  const TempDir dir;
  const fs::path log = dir.path / "starts.log";
  write_counting_consumer(dir.path, "pipe_consumer", log);
  write_counting_consumer(dir.path, "udp_consumer", log);
  const fs::path out = dir.path / "out.json";
  // No -n: Google Benchmark's iteration search runs several trials per repetition.
  const auto result = ipc_bench({"-t", "pipe,udp", "-r", "3", "--benchmark_min_time=0.05", "--warmup", "10ms",
                                 "--json", out.string()},
                                {"IPC_BENCH_CONSUMER_DIR=" + dir.path.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::ifstream in(log);
  std::map<std::string, int> starts;
  for (std::string line; std::getline(in, line);) ++starts[line];
  EXPECT_EQ(starts, (std::map<std::string, int>{{"pipe_consumer", 1}, {"udp_consumer", 1}}));
  const auto json = read_json(out);
  EXPECT_EQ(iteration_runs(json, "pipe/").size(), 3u);
  EXPECT_EQ(iteration_runs(json, "udp/").size(), 3u);
}

// "1.23 ms" -> 1230000.
double parse_duration(const std::string& value, const std::string& unit) {
  static const std::map<std::string, double> scale{{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
  return std::stod(value) * scale.at(unit);
}

TEST(OneTimedPass, SummaryMaxUnderRepetitionsIsTheLargestOfAllRepetitions) {
  const TempDir dir;
  const fs::path out = dir.path / "out.json";
  const auto result = ipc_bench({"-t", "pipe", "-n", "3000", "-r", "3", "--warmup", "100", "--json", out.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  double largest = 0;
  for (const auto& run : iteration_runs(read_json(out), "pipe/")) largest = std::max(largest, run.at("max_ns").get<double>());
  ASSERT_GT(largest, 0);
  std::optional<double> shown;
  for (const std::string& line : test::lines(result.out)) {
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string word; words >> word;) w.push_back(word);
    // pipe 4 B split <mean> <unit> <rate> <unit> <p50> <unit> <p99> <unit> <max> <unit> ...
    if (w.size() > 13 && w[0] == "pipe" && w[3] == "split") shown = parse_duration(w[12], w[13]);
  }
  ASSERT_TRUE(shown) << result.out;
  // Printed with at least three significant digits.
  EXPECT_NEAR(*shown, largest, largest * 0.006) << result.out;
}

TEST(OneTimedPass, AConsumerThatBurnsCpuShowsInConsumerCpuNs) {
  const TempDir dir;
  const fs::path out = dir.path / "out.json";
  // faulty_pipe_consumer with burn:300 busy-waits 300 us before every reply.
  const auto result = ipc_bench({"-t", "pipe", "-n", "200", "--warmup", "0", "--consumer-cmd",
                                 test::built("faulty_pipe_consumer"), "--json", out.string()},
                                {"FAULTY_CONSUMER=burn:300"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto runs = iteration_runs(read_json(out), "pipe/");
  ASSERT_EQ(runs.size(), 1u);
  const double consumer = runs[0].at("consumer_cpu_ns"), producer = runs[0].at("producer_cpu_ns");
  EXPECT_GE(consumer, 0.9 * 300'000) << "consumer " << consumer << " ns per round trip";
  EXPECT_LT(producer, consumer / 2) << "the producer sleeps in read() meanwhile";
}

TEST(OneTimedPass, TimingCostReportsTheClockFreeBatch) {
  const TempDir dir;
  const fs::path out = dir.path / "out.json";
  const auto result = ipc_bench({"-t", "shm_spin", "-n", "20000", "--timing-cost", "--json", out.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto runs = iteration_runs(read_json(out), "shm_spin/");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_GT(runs[0].at("clock_free_ns").get<double>(), 0.0);
  EXPECT_GT(runs[0].at("timing_cost").get<double>(), 0.0);
}

TEST(OneTimedPass, CheckFullIsPartOfTheName) {
  const auto result = ipc_bench({"-t", "pipe", "-p", "1K", "-n", "100", "--check", "full", "--benchmark_format=json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json.at("benchmarks")[0].at("name"), "pipe/payload:1024/placement:split/check:full/iterations:100/real_time");
  EXPECT_EQ(json.at("context").at("check"), "full");
}

}  // namespace
}  // namespace ipc

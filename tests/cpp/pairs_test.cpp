// --placement pairs: one result per ordered pair of allowed CPUs.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ipc/placement.hpp"
#include "temp_tree.hpp"
#include "test_support.hpp"

namespace ipc {
namespace {

// ipc_bench confined to `cpus` (taskset), as on a machine that has only those.
test::CommandResult ipc_bench_on(const std::vector<int>& cpus, std::vector<std::string> args) {
  args.insert(args.begin(), {"/usr/bin/taskset", "-c", fmt::format("{}", fmt::join(cpus, ",")), test::built("ipc_bench")});
  return test::run_command(args);
}

// The first `n` allowed CPUs, or all of them where there are fewer.
std::vector<int> first_cpus(std::size_t n) {
  const std::vector<int> all = allowed_cpus();
  return {all.begin(), all.begin() + static_cast<std::ptrdiff_t>(std::min(n, all.size()))};
}

TEST(Pairs, TwoCpusGiveBothDirectionsNamedByTheirCpus) {
  const std::vector<int> cpus = first_cpus(2);
  if (cpus.size() < 2) GTEST_SKIP() << "one CPU allowed";
  const test::TempTree dir;
  const auto out = dir.root() / "pairs.json";
  const auto result = ipc_bench_on(cpus, {"-t", "pipe", "-p", "64", "--placement", "pairs", "--json", out.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::ifstream in(out);
  const nlohmann::json json = nlohmann::json::parse(in);
  std::vector<std::string> names;
  for (const auto& b : json.at("benchmarks")) {
    names.push_back(b.at("run_name").get<std::string>());
    // The short default measurement of a pair.
    EXPECT_EQ(b.at("iterations"), 2000);
    EXPECT_GT(b.at("p50_ns").get<double>(), 0);
    EXPECT_TRUE(b.contains("floor_cacheline_ns")) << b.at("name");
  }
  const auto name = [](int p, int c) { return fmt::format("pipe/payload:64/placement:cpus-{}-{}/iterations:2000/real_time", p, c); };
  EXPECT_EQ(names, (std::vector<std::string>{name(cpus[0], cpus[1]), name(cpus[1], cpus[0])}));
  // What the heatmap draws its borders from: every allowed CPU's core, cache and node.
  const std::string topology = json.at("context").at("topology").get<std::string>();
  for (const int cpu : cpus) EXPECT_NE(topology.find(fmt::format("{}:core=", cpu)), std::string::npos) << topology;
  EXPECT_NE(result.out.find(fmt::format("cpus-{}-{}", cpus[1], cpus[0])), std::string::npos) << result.out;
}

class PairsRefused : public ::testing::TestWithParam<std::pair<std::vector<std::string>, std::string>> {};

TEST_P(PairsRefused, InOneLine) {
  const auto& [args, expected] = GetParam();
  const bool one_cpu = expected.find("this process may use one") != std::string::npos;
  const std::vector<int> cpus = first_cpus(one_cpu ? 1 : 2);
  if (!one_cpu && cpus.size() < 2) {
    GTEST_SKIP() << "one CPU allowed";
  }
  std::vector<std::string> all{"-t", "pipe", "--placement", "pairs"};
  all.insert(all.end(), args.begin(), args.end());
  const auto result = ipc_bench_on(cpus, all);
  EXPECT_EQ(result.exit_code, 2);
  const auto err = test::lines(result.err);
  ASSERT_EQ(err.size(), 1u) << result.err;
  EXPECT_NE(err[0].find(expected), std::string::npos) << err[0];
}

INSTANTIATE_TEST_SUITE_P(
    Pairs, PairsRefused,
    ::testing::Values(std::pair{std::vector<std::string>{}, "needs two CPUs, and this process may use one"},
                      std::pair{std::vector<std::string>{"--cpus", "0,1"}, "give it without --cpus"},
                      std::pair{std::vector<std::string>{"--remote", "127.0.0.1:9"}, "give it without --remote"}));

}  // namespace
}  // namespace ipc

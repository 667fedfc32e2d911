#include "ipc/parse.hpp"

#include <gtest/gtest.h>

#include "ipc/placement.hpp"
#include "ipc/error.hpp"
#include "ipc/topology.hpp"

namespace ipc {
namespace {

// Topology plays no part in split, same and none.
const Topology kUnknown;

TEST(ParseSize, AcceptsBytesAndBinarySuffixes) {
  EXPECT_EQ(parse_size("1"), 1u);
  EXPECT_EQ(parse_size("64"), 64u);
  EXPECT_EQ(parse_size("4K"), 4096u);
  EXPECT_EQ(parse_size("4k"), 4096u);
  EXPECT_EQ(parse_size("1M"), 1048576u);
  EXPECT_EQ(parse_size("65507"), 65507u);
}

TEST(ParseSize, RejectsEverythingElse) {
  for (const char* bad : {"", "0", "0K", "-5", "+5", "abc", "4KB", "K", "4 K", " 4", "4x", "1.5K",
                          "99999999999999999999", "18014398509481984M"}) {
    EXPECT_FALSE(parse_size(bad).has_value()) << '"' << bad << '"';
  }
}

TEST(ParseCount, DigitsOnlyAndPositive) {
  EXPECT_EQ(parse_count("1"), 1u);
  EXPECT_EQ(parse_count("1000000"), 1000000u);
  for (const char* bad : {"", "0", "-1", "+1", "1e6", "abc", "12 ", "18446744073709551616"})
    EXPECT_FALSE(parse_count(bad).has_value()) << '"' << bad << '"';
}

TEST(Placement, ParsesTheSevenNames) {
  EXPECT_EQ(parse_placement("split"), Placement::split);
  EXPECT_EQ(parse_placement("same"), Placement::same);
  EXPECT_EQ(parse_placement("none"), Placement::none);
  EXPECT_FALSE(parse_placement("Split").has_value());
  EXPECT_EQ(to_string(Placement::split), "split");
  for (const char* name : {"split", "same", "none", "smt", "llc", "cross_llc", "cross_node"}) {
    const auto placement = parse_placement(name);
    ASSERT_TRUE(placement.has_value()) << name;
    EXPECT_EQ(to_string(*placement), name);
  }
  EXPECT_FALSE(parse_placement("cross-node").has_value());
}

TEST(Placement, AssignsTheFirstAllowedCpus) {
  const std::vector<int> allowed{2, 5, 7};
  const auto split = assign_cpus(Placement::split, std::nullopt, allowed, kUnknown);
  EXPECT_EQ(split.producer, 2);
  EXPECT_EQ(split.consumer, 5);
  const auto same = assign_cpus(Placement::same, std::nullopt, allowed, kUnknown);
  EXPECT_EQ(same.producer, 2);
  EXPECT_EQ(same.consumer, 2);
  const auto none = assign_cpus(Placement::none, std::nullopt, allowed, kUnknown);
  EXPECT_FALSE(none.producer.has_value());
  EXPECT_FALSE(none.consumer.has_value());
}

TEST(Placement, HonoursAndChecksChosenCpus) {
  const std::vector<int> allowed{0, 1, 2, 3};
  const auto split = assign_cpus(Placement::split, std::pair{3, 1}, allowed, kUnknown);
  EXPECT_EQ(split.producer, 3);
  EXPECT_EQ(split.consumer, 1);
  EXPECT_EQ(assign_cpus(Placement::same, std::pair{2, 3}, allowed, kUnknown).consumer, 2);
  EXPECT_THROW((void)assign_cpus(Placement::split, std::pair{1, 1}, allowed, kUnknown), Error);
  EXPECT_THROW((void)assign_cpus(Placement::split, std::pair{0, 9}, allowed, kUnknown), Error);
  EXPECT_THROW((void)assign_cpus(Placement::split, std::nullopt, std::vector<int>{0}, kUnknown), Error);
}

}  // namespace
}  // namespace ipc

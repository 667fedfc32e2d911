// The topology reader and the placement classes, against synthetic sysfs
// trees of machines this one is not.
#include "ipc/topology.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ipc/error.hpp"
#include "ipc/placement.hpp"
#include "temp_tree.hpp"

namespace ipc {
namespace {

using test::TempTree;

// One CPU as Linux shows it: topology/, and caches L1d, L1i, L2 private to
// the core and an L3 shared by `l3`.  Both the current (core_cpus_list) and
// the older (thread_siblings_list) sibling files are written.
void add_cpu(const TempTree& tree, int cpu, int package, int core_id, const std::string& siblings,
             const std::string& l3) {
  const std::string dir = fmt::format("devices/system/cpu/cpu{}/", cpu);
  tree.write(dir + "topology/physical_package_id", std::to_string(package));
  tree.write(dir + "topology/core_id", std::to_string(core_id));
  tree.write(dir + "topology/core_cpus_list", siblings);
  tree.write(dir + "topology/thread_siblings_list", siblings);
  const struct {
    const char* level;
    const char* type;
    std::string shared;
  } caches[] = {{"1", "Data", siblings}, {"1", "Instruction", siblings}, {"2", "Unified", siblings}, {"3", "Unified", l3}};
  for (int i = 0; i < 4; ++i) {
    const std::string index = fmt::format("{}cache/index{}/", dir, i);
    tree.write(index + "level", caches[i].level);
    tree.write(index + "type", caches[i].type);
    tree.write(index + "shared_cpu_list", caches[i].shared);
  }
}

void add_node(const TempTree& tree, int node, const std::string& cpus) {
  tree.write(fmt::format("devices/system/node/node{}/cpulist", node), cpus);
}

// A 2-socket server numbered as Linux numbers Intel ones: first the first
// hardware thread of every core, socket by socket (0-3 socket 0, 4-7
// socket 1), then the second threads in the same order (8-11, 12-15), so
// CPU N and N+8 are siblings.  core_id counts 0-3 within each socket, one L3
// and one NUMA node per socket.
void two_socket_server(const TempTree& tree) {
  for (int cpu = 0; cpu < 16; ++cpu) {
    const int first = cpu % 8, package = first / 4;
    add_cpu(tree, cpu, package, first % 4, fmt::format("{},{}", first, first + 8),
            package == 0 ? "0-3,8-11" : "4-7,12-15");
  }
  add_node(tree, 0, "0-3,8-11");
  add_node(tree, 1, "4-7,12-15");
}

// A laptop: one package, 4 cores x 2 threads numbered as AMD does it,
// siblings 2k and 2k+1, one L3 over all, one node.
void laptop(const TempTree& tree) {
  for (int cpu = 0; cpu < 8; ++cpu) add_cpu(tree, cpu, 0, cpu / 2, fmt::format("{}-{}", cpu & ~1, cpu | 1), "0-7");
  add_node(tree, 0, "0-7");
}

// A chiplet desktop: one package and node, two L3s (CCXs) of 2 cores x 2
// threads; siblings N and N+4, L3 {0,1,4,5} and {2,3,6,7}.
void chiplet_desktop(const TempTree& tree) {
  for (int cpu = 0; cpu < 8; ++cpu) {
    const int core = cpu % 4;
    add_cpu(tree, cpu, 0, core, fmt::format("{},{}", core, core + 4), core < 2 ? "0-1,4-5" : "2-3,6-7");
  }
  add_node(tree, 0, "0-7");
}

// The development VM: 2 vCPUs, one thread per core, one package, an L3
// shared by both, one node.
void two_cpu_vm(const TempTree& tree) {
  add_cpu(tree, 0, 0, 0, "0", "0-1");
  add_cpu(tree, 1, 0, 1, "1", "0-1");
  add_node(tree, 0, "0-1");
}

std::vector<int> cpus_upto(int n) {
  std::vector<int> cpus;
  for (int cpu = 0; cpu < n; ++cpu) cpus.push_back(cpu);
  return cpus;
}

std::string names(const std::vector<Placement>& placements) {
  std::string text;
  for (const Placement p : placements) text += fmt::format("{}{}", text.empty() ? "" : " ", to_string(p));
  return text;
}

std::pair<int, int> pair_of(Placement placement, const std::vector<int>& allowed, const Topology& topology) {
  const CpuAssignment cpus = assign_cpus(placement, std::nullopt, allowed, topology);
  return {cpus.producer.value_or(-1), cpus.consumer.value_or(-1)};
}

std::string refusal(Placement placement, std::optional<std::pair<int, int>> chosen, const std::vector<int>& allowed,
                    const Topology& topology) {
  try {
    (void)assign_cpus(placement, chosen, allowed, topology);
  } catch (const Error& e) {
    return e.what();
  }
  return "(accepted)";
}

constexpr Placement kAll[] = {Placement::same, Placement::split,     Placement::none,      Placement::smt,
                              Placement::llc,  Placement::cross_llc, Placement::cross_node};

// available_placements and assign_cpus agree, and every chosen pair is of
// the class asked for.
void expect_consistent(const Topology& topology, const std::vector<int>& allowed) {
  const auto available = available_placements(topology, allowed);
  for (const Placement p : kAll) {
    const bool offered = std::ranges::find(available, p) != available.end();
    if (!offered) {
      EXPECT_THROW((void)assign_cpus(p, std::nullopt, allowed, topology), Error) << to_string(p);
      continue;
    }
    const CpuAssignment cpus = assign_cpus(p, std::nullopt, allowed, topology);
    if (p == Placement::none || p == Placement::split || p == Placement::same) continue;
    ASSERT_TRUE(cpus.producer && cpus.consumer) << to_string(p);
    EXPECT_EQ(classify_pair(*cpus.producer, *cpus.consumer, topology), p) << to_string(p);
  }
}

TEST(CpuList, ParsesLinuxLists) {
  EXPECT_EQ(parse_cpu_list("0-3,8-11\n"), (std::vector<int>{0, 1, 2, 3, 8, 9, 10, 11}));
  EXPECT_EQ(parse_cpu_list("5"), (std::vector<int>{5}));
  EXPECT_EQ(parse_cpu_list("3,1,1-2"), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(parse_cpu_list(""), std::vector<int>{});
  EXPECT_EQ(parse_cpu_list("\n"), std::vector<int>{});
  for (const char* bad : {"0-", "-1", "3-1", "a", "0,", ",0", "0,,1", "1 2", "0-99999", "0x1", "+1"})
    EXPECT_FALSE(parse_cpu_list(bad).has_value()) << '"' << bad << '"';
}

TEST(Topology, ReadsTheTwoSocketServer) {
  const TempTree tree;
  two_socket_server(tree);
  const Topology topology = Topology::read(tree.root());
  ASSERT_EQ(topology.cpus().size(), 16u);
  EXPECT_EQ(*topology.find(0), (CpuTopology{.cpu = 0, .package = 0, .core = 0, .llc = 0, .node = 0}));
  EXPECT_EQ(*topology.find(13), (CpuTopology{.cpu = 13, .package = 1, .core = 5, .llc = 4, .node = 1}));
  EXPECT_EQ(topology.find(16), nullptr);
}

TEST(Topology, TwoSocketServerOffersSmtLlcAndCrossNode) {
  const TempTree tree;
  two_socket_server(tree);
  const Topology topology = Topology::read(tree.root());
  const auto all = cpus_upto(16);
  EXPECT_EQ(names(available_placements(topology, all)), "same split none smt llc cross_node");
  EXPECT_EQ(pair_of(Placement::smt, all, topology), std::pair(0, 8));
  EXPECT_EQ(pair_of(Placement::llc, all, topology), std::pair(0, 1));
  EXPECT_EQ(pair_of(Placement::cross_node, all, topology), std::pair(0, 4));
  EXPECT_EQ(refusal(Placement::cross_llc, std::nullopt, all, topology),
            "placement cross_llc is not available here (this machine offers: same, split, none, smt, llc, cross_node)");
  expect_consistent(topology, all);
}

TEST(Topology, LaptopOffersSmtAndLlc) {
  const TempTree tree;
  laptop(tree);
  const Topology topology = Topology::read(tree.root());
  const auto all = cpus_upto(8);
  EXPECT_EQ(names(available_placements(topology, all)), "same split none smt llc");
  EXPECT_EQ(pair_of(Placement::smt, all, topology), std::pair(0, 1));
  EXPECT_EQ(pair_of(Placement::llc, all, topology), std::pair(0, 2));
  EXPECT_EQ(refusal(Placement::cross_node, std::nullopt, all, topology),
            "placement cross_node is not available here (this machine offers: same, split, none, smt, llc)");
  expect_consistent(topology, all);
}

TEST(Topology, ChipletDesktopOffersCrossLlc) {
  const TempTree tree;
  chiplet_desktop(tree);
  const Topology topology = Topology::read(tree.root());
  const auto all = cpus_upto(8);
  EXPECT_EQ(names(available_placements(topology, all)), "same split none smt llc cross_llc");
  EXPECT_EQ(pair_of(Placement::smt, all, topology), std::pair(0, 4));
  EXPECT_EQ(pair_of(Placement::llc, all, topology), std::pair(0, 1));
  EXPECT_EQ(pair_of(Placement::cross_llc, all, topology), std::pair(0, 2));
  expect_consistent(topology, all);
}

TEST(Topology, TwoCpuVmOffersLlcOnly) {
  const TempTree tree;
  two_cpu_vm(tree);
  const Topology topology = Topology::read(tree.root());
  const std::vector<int> all{0, 1};
  EXPECT_EQ(names(available_placements(topology, all)), "same split none llc");
  EXPECT_EQ(pair_of(Placement::llc, all, topology), std::pair(0, 1));
  EXPECT_EQ(refusal(Placement::smt, std::nullopt, all, topology),
            "placement smt is not available here (this machine offers: same, split, none, llc)");
  expect_consistent(topology, all);
  // split keeps meaning "the first two allowed CPUs", whatever they are.
  EXPECT_EQ(pair_of(Placement::split, all, topology), std::pair(0, 1));
  EXPECT_EQ(classify_pair(0, 1, topology), Placement::llc);
  EXPECT_EQ(classify_pair(1, 1, topology), Placement::same);
}

TEST(Topology, ChosenCpusMustBeOfTheClass) {
  const TempTree tree;
  two_socket_server(tree);
  const Topology topology = Topology::read(tree.root());
  const auto all = cpus_upto(16);
  const auto smt = assign_cpus(Placement::smt, std::pair{9, 1}, all, topology);
  EXPECT_EQ(smt.producer, 9);
  EXPECT_EQ(smt.consumer, 1);
  EXPECT_EQ(assign_cpus(Placement::cross_node, std::pair{12, 3}, all, topology).consumer, 3);
  EXPECT_EQ(refusal(Placement::smt, std::pair{0, 1}, all, topology),
            "--cpus 0,1 is not placement smt (two hardware threads of one core): they are llc here; try --cpus 0,8");
  EXPECT_EQ(refusal(Placement::llc, std::pair{0, 12}, all, topology),
            "--cpus 0,12 is not placement llc (two cores sharing the last-level cache): they are cross_node here; "
            "try --cpus 0,1");
  EXPECT_EQ(refusal(Placement::cross_llc, std::pair{0, 4}, all, topology),
            "--cpus 0,4 is not placement cross_llc (two last-level caches on one NUMA node): they are cross_node "
            "here; placement cross_llc is not available here (this machine offers: same, split, none, smt, llc, "
            "cross_node)");
  EXPECT_EQ(refusal(Placement::smt, std::pair{3, 3}, all, topology),
            "placement smt needs two different CPUs, --cpus gave 3,3");
  EXPECT_EQ(refusal(Placement::smt, std::pair{0, 16}, all, topology),
            "CPU 16 is not one this process may use (allowed: 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15)");
  // split and same take any allowed pair, as before.
  EXPECT_EQ(assign_cpus(Placement::split, std::pair{0, 12}, all, topology).consumer, 12);
}

TEST(Topology, OnlyAllowedCpusAreChosen) {
  const TempTree tree;
  two_socket_server(tree);
  const Topology topology = Topology::read(tree.root());
  const std::vector<int> one_socket{5, 4, 13, 12};  // order as given must not matter
  EXPECT_EQ(names(available_placements(topology, one_socket)), "same split none smt llc");
  EXPECT_EQ(pair_of(Placement::smt, one_socket, topology), std::pair(4, 12));
  EXPECT_EQ(pair_of(Placement::llc, one_socket, topology), std::pair(4, 5));
  EXPECT_EQ(refusal(Placement::cross_node, std::nullopt, one_socket, topology),
            "placement cross_node is not available on the CPUs this process may use (5,4,13,12; they offer: "
            "same, split, none, smt, llc)");
  expect_consistent(topology, one_socket);

  const std::vector<int> siblings_and_other_socket{1, 9, 4};
  EXPECT_EQ(names(available_placements(topology, siblings_and_other_socket)), "same split none smt cross_node");
  EXPECT_EQ(pair_of(Placement::cross_node, siblings_and_other_socket, topology), std::pair(1, 4));
  expect_consistent(topology, siblings_and_other_socket);

  EXPECT_EQ(names(available_placements(topology, {7})), "same none");
  expect_consistent(topology, {7});
  EXPECT_EQ(names(available_placements(topology, {})), "none");
}

TEST(Topology, WithoutSiblingListsCoresComeFromPackageAndCoreId) {
  const TempTree tree;
  two_socket_server(tree);
  for (int cpu = 0; cpu < 16; ++cpu) {
    tree.remove(fmt::format("devices/system/cpu/cpu{}/topology/core_cpus_list", cpu));
    tree.remove(fmt::format("devices/system/cpu/cpu{}/topology/thread_siblings_list", cpu));
  }
  const Topology topology = Topology::read(tree.root());
  // core_id repeats in socket 1: CPU 4 (core_id 0) must not be CPU 0's sibling.
  EXPECT_EQ(topology.find(4)->core, 4);
  EXPECT_EQ(topology.find(12)->core, 4);
  EXPECT_EQ(pair_of(Placement::smt, cpus_upto(16), topology), std::pair(0, 8));
  expect_consistent(topology, cpus_upto(16));
}

TEST(Topology, OlderKernelsThreadSiblingsListSuffices) {
  const TempTree tree;
  laptop(tree);
  for (int cpu = 0; cpu < 8; ++cpu) tree.remove(fmt::format("devices/system/cpu/cpu{}/topology/core_cpus_list", cpu));
  EXPECT_EQ(pair_of(Placement::smt, cpus_upto(8), Topology::read(tree.root())), std::pair(0, 1));
}

TEST(Topology, MissingCachesLoseOnlyTheLlcClasses) {
  const TempTree tree;
  chiplet_desktop(tree);
  for (int cpu = 0; cpu < 8; ++cpu) tree.remove(fmt::format("devices/system/cpu/cpu{}/cache", cpu));
  const Topology topology = Topology::read(tree.root());
  EXPECT_EQ(names(available_placements(topology, cpus_upto(8))), "same split none smt");
  EXPECT_FALSE(topology.find(0)->llc.has_value());
  expect_consistent(topology, cpus_upto(8));
}

TEST(Topology, OneCpuWithoutAnL3IsNotComparedByItsL2) {
  const TempTree tree;
  two_cpu_vm(tree);
  tree.remove("devices/system/cpu/cpu1/cache/index3");
  const Topology topology = Topology::read(tree.root());
  EXPECT_EQ(topology.find(0)->llc, 0);
  EXPECT_FALSE(topology.find(1)->llc.has_value());
  EXPECT_EQ(classify_pair(0, 1, topology), std::nullopt);
  EXPECT_EQ(refusal(Placement::llc, std::pair{0, 1}, {0, 1}, topology),
            "--cpus 0,1 is not placement llc (two cores sharing the last-level cache): their topology is unknown; "
            "placement llc is not available here (this machine offers: same, split, none)");
}

TEST(Topology, WithoutNumaNodesPackagesStandIn) {
  const TempTree tree;
  two_socket_server(tree);
  tree.remove("devices/system/node");
  const Topology topology = Topology::read(tree.root());
  EXPECT_EQ(topology.find(4)->node, 1);
  EXPECT_EQ(pair_of(Placement::cross_node, cpus_upto(16), topology), std::pair(0, 4));

  for (int cpu = 0; cpu < 16; ++cpu)
    tree.remove(fmt::format("devices/system/cpu/cpu{}/topology/physical_package_id", cpu));
  const Topology unplaced = Topology::read(tree.root());
  EXPECT_FALSE(unplaced.find(4)->node.has_value());
  EXPECT_EQ(names(available_placements(unplaced, cpus_upto(16))), "same split none smt llc");
}

TEST(Topology, MalformedFilesAreUnknown) {
  const TempTree tree;
  two_socket_server(tree);
  tree.write("devices/system/cpu/cpu0/topology/core_cpus_list", "0-");
  tree.write("devices/system/cpu/cpu0/topology/thread_siblings_list", "garbage");
  tree.write("devices/system/cpu/cpu0/topology/core_id", "");
  tree.write("devices/system/cpu/cpu0/topology/physical_package_id", "-1");
  tree.write("devices/system/cpu/cpu0/cache/index3/shared_cpu_list", "5-2");
  tree.write("devices/system/cpu/cpu1/cache/index3/level", "three");
  tree.write("devices/system/cpu/cpu2/topology/core_cpus_list", "3");  // a list without CPU 2 itself
  tree.write("devices/system/cpu/cpu2/topology/thread_siblings_list", "3");
  tree.write("devices/system/cpu/cpufreq/junk", "x");                 // "cpu" entries that are no CPU
  tree.write("devices/system/cpu/cpu99x/topology/core_id", "0");
  tree.write("devices/system/node/node7/cpulist", "nonsense");
  tree.remove("devices/system/cpu/cpu3/topology");
  const Topology topology = Topology::read(tree.root());
  ASSERT_EQ(topology.cpus().size(), 16u);
  EXPECT_EQ(*topology.find(0), (CpuTopology{.cpu = 0, .package = std::nullopt, .core = std::nullopt, .llc = std::nullopt, .node = 0}));
  EXPECT_FALSE(topology.find(1)->llc.has_value());  // its L3 has no level: CPU 1 has no known L3
  EXPECT_EQ(topology.find(2)->core, 2);              // an inconsistent list falls back to core_id
  EXPECT_FALSE(topology.find(3)->core.has_value());
  EXPECT_EQ(topology.find(3)->llc, 0);
  // CPU 0 knows nothing but its node, so the lowest smt pair moves on to 1,9.
  EXPECT_EQ(pair_of(Placement::smt, cpus_upto(16), topology), std::pair(1, 9));
  expect_consistent(topology, cpus_upto(16));
}

TEST(Topology, NoTreeAtAllKnowsNothingAndSaysSo) {
  const TempTree tree;
  for (const auto& root : {tree.root(), tree.root() / "does-not-exist"}) {
    const Topology topology = Topology::read(root);
    EXPECT_TRUE(topology.cpus().empty());
    EXPECT_EQ(names(available_placements(topology, {0, 1})), "same split none");
    EXPECT_EQ(refusal(Placement::llc, std::nullopt, {0, 1}, topology),
              "placement llc is not available here (this machine offers: same, split, none)");
    EXPECT_EQ(pair_of(Placement::split, {0, 1}, topology), std::pair(0, 1));
  }
}

TEST(Topology, ThisMachineReadsAndOffersTheBasics) {
  const std::vector<int> allowed = allowed_cpus();
  const Topology topology = Topology::read();
  const auto available = available_placements(topology, allowed);
  for (const Placement p : {Placement::same, Placement::none})
    EXPECT_NE(std::ranges::find(available, p), available.end()) << to_string(p);
  if (allowed.size() >= 2) {
    EXPECT_NE(std::ranges::find(available, Placement::split), available.end());
  }
  expect_consistent(topology, allowed);
  std::cout << "this machine offers: " << names(available) << '\n';
}

}  // namespace
}  // namespace ipc

// The explanation counters (benches/explain.hpp, include/ipc/side_counters.hpp):
// what each side asks of the kernel per round trip, run as a user runs
// ipc_bench.  Tolerances: a batch adds a handful of calls of its own (the
// counters' reads, Google Benchmark's timer), spread over thousands of
// round trips; the figures below allow 0.1 per round trip for that and for
// the odd preemption on a loaded machine.
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ipc/registry.hpp"
#include "ipc/side_counters.hpp"
#include "temp_tree.hpp"
#include "test_support.hpp"

namespace ipc {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;


struct BenchRun {
  test::CommandResult result;
  json doc;
};

BenchRun ipc_bench(std::vector<std::string> args, const std::vector<std::string>& env = {},
              const std::vector<std::string>& prefix = {}) {
  const test::TempTree dir;
  const fs::path out = dir.root() / "out.json";
  args.insert(args.begin(), test::built("ipc_bench"));
  args.insert(args.begin(), prefix.begin(), prefix.end());
  args.insert(args.end(), {"--json", out.string()});
  BenchRun run{test::run_command(args, std::chrono::seconds(120) * test::build_slowdown(), env), {}};
  if (run.result.exit_code == 0) {
    std::ifstream in(out);
    run.doc = json::parse(in);
  }
  return run;
}

const json& benchmark_named(const json& doc, const std::string& prefix) {
  for (const json& b : doc.at("benchmarks"))
    if (b.at("name").get<std::string>().starts_with(prefix)) return b;
  throw std::runtime_error("no benchmark " + prefix);
}

double at(const json& b, const std::string& key) {
  if (!b.contains(key)) throw std::runtime_error(b.at("name").get<std::string>() + " has no " + key);
  return b.at(key).get<double>();
}

std::optional<std::string> first_line(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  return line;
}

std::optional<std::string> setpriv() {
  for (const char* path : {"/usr/bin/setpriv", "/bin/setpriv"})
    if (::access(path, X_OK) == 0) return path;
  return std::nullopt;
}

bool two_cpus() { return sysconf(_SC_NPROCESSORS_ONLN) >= 2; }

// The system-call counter this machine has: every call (the tracepoint), or
// the read/write family only (proc's io file), or neither.
std::string syscall_counter(const json& b) {
  if (b.contains("producer_syscalls")) return "syscalls";
  if (b.contains("producer_rw_calls")) return "rw_calls";
  return "";
}

class ReadWriteTransport : public ::testing::TestWithParam<std::string> {};

// pipe, fifo, unix_stream, eventfd and udp: each side writes (or sends) its
// message and reads (or receives) the other's, two calls per side.
TEST_P(ReadWriteTransport, MakesTwoSystemCallsPerSidePerRoundTrip) {
  const std::string transport = GetParam();
  const std::string placements = two_cpus() ? "same,split" : "same";
  const BenchRun run = ipc_bench({"-t", transport, "-n", "5000", "--placement", placements});
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  for (const std::string placement : {"same", "split"}) {
    if (placement == "split" && !two_cpus()) continue;
    SCOPED_TRACE(transport + " at " + placement);
    const json& b = benchmark_named(run.doc, transport + "/payload:4/placement:" + placement);
    const std::string counter = syscall_counter(b);
    if (counter.empty()) {
      EXPECT_NE(run.doc.at("context").at("explain_source").get<std::string>().find("syscalls: absent: "),
                std::string::npos);
      GTEST_SKIP() << "no system-call counter here: " << run.doc.at("context").at("explain_source");
    }
    // send(2) and recv(2), which udp uses, are not in the read/write family.
    if (counter == "rw_calls" && transport == "udp") GTEST_SKIP() << "udp's calls are not in the read/write family";
    EXPECT_NEAR(at(b, "producer_" + counter), 2.0, 0.1);
    EXPECT_NEAR(at(b, "consumer_" + counter), 2.0, 0.1);
  }
}

INSTANTIATE_TEST_SUITE_P(Explain, ReadWriteTransport, ::testing::Values("pipe", "fifo", "udp", "unix_stream", "eventfd"),
                         [](const auto& info) { return info.param; });

class SpinningTransport : public ::testing::TestWithParam<std::string> {};

TEST_P(SpinningTransport, AtSplitNeitherSideEntersTheKernel) {
  if (!two_cpus()) GTEST_SKIP() << "needs two CPUs";
  const std::string transport = GetParam();
  const BenchRun run = ipc_bench({"-t", transport, "-n", "20000", "--placement", "split"});
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  const json& b = benchmark_named(run.doc, transport + "/");
  const std::string counter = syscall_counter(b);
  for (const std::string side : {"producer", "consumer"}) {
    SCOPED_TRACE(side);
    if (!counter.empty()) {
      EXPECT_LT(at(b, side + "_" + counter), 0.01);
    }
    // Never by its own doing: the involuntary switches are the machine's
    // (a hog, a parallel test), not the transport's.
    EXPECT_LT(at(b, side + "_switches") - at(b, side + "_involuntary_switches"), 0.01);
  }
}

INSTANTIATE_TEST_SUITE_P(Explain, SpinningTransport, ::testing::Values("shm_spin", "mmap_file"),
                         [](const auto& info) { return info.param; });

// At placement same a blocking round trip hands the CPU over twice: the
// producer to the consumer and back, one switch on each side (voluntary
// when it blocks, involuntary when the woken side preempts it).
TEST(Explain, ASleepingTransportAtSameSwitchesAboutOncePerSide) {
  const BenchRun run = ipc_bench({"-t", "pipe", "-n", "5000", "--placement", "same"});
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  const json& b = benchmark_named(run.doc, "pipe/");
  for (const std::string side : {"producer", "consumer"}) {
    SCOPED_TRACE(side);
    EXPECT_GE(at(b, side + "_switches"), 0.8);
    EXPECT_LE(at(b, side + "_switches"), 1.5);
    EXPECT_LE(at(b, side + "_involuntary_switches"), at(b, side + "_switches"));
    EXPECT_GE(at(b, side + "_page_faults"), 0.0);
  }
}

TEST(Explain, AConsumersExtraSystemCallsShowOnItsSideOnly) {
  const BenchRun run = ipc_bench({"-t", "pipe", "-n", "3000", "--consumer-cmd", test::built("faulty_pipe_consumer")},
                            {"FAULTY_CONSUMER=syscalls:3"});
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  const json& b = benchmark_named(run.doc, "pipe/");
  const std::string counter = syscall_counter(b);
  if (counter.empty()) GTEST_SKIP() << "no system-call counter here: " << run.doc.at("context").at("explain_source");
  EXPECT_NEAR(at(b, "consumer_" + counter), 5.0, 0.1);
  EXPECT_NEAR(at(b, "producer_" + counter), 2.0, 0.1);
}

TEST(Explain, TheSourceOfEveryCounterIsInTheContext) {
  const BenchRun run = ipc_bench({"-t", "pipe", "-n", "1000"});
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  const std::string source = run.doc.at("context").at("explain_source");
  for (const char* event : {"syscalls: ", "rw_calls: ", "switches: ", "involuntary_switches: ", "migrations: ",
                            "page_faults: ", "cpu: "})
    EXPECT_NE(source.find(event), std::string::npos) << event << " in " << source;
  EXPECT_NE(source.find("producer: the benchmark thread only"), std::string::npos) << source;
  // An absent counter is absent from every result, never a zero.
  const json& b = benchmark_named(run.doc, "pipe/");
  for (const std::string event : {"syscalls", "rw_calls", "migrations"}) {
    const bool said_absent = source.find(event + ": absent") != std::string::npos;
    if (said_absent) {
      EXPECT_FALSE(b.contains("producer_" + event)) << event;
    }
  }
}

// Without the privilege perf needs (here: root without any capability,
// which perf_event_paranoid 2 or above refuses), the perf counters are
// absent, the source says why, and the run still succeeds.
TEST(Explain, WithoutPerfThePerfCountersAreAbsentAndSayWhy) {
  if (::geteuid() != 0) GTEST_SKIP() << "drops capabilities with setpriv, which needs root";
  const auto paranoid = first_line("/proc/sys/kernel/perf_event_paranoid");
  if (!paranoid || std::stoi(*paranoid) < 2)
    GTEST_SKIP() << "kernel.perf_event_paranoid " << paranoid.value_or("unreadable")
                 << " lets any user count: the refusal cannot be made here";
  if (!setpriv()) GTEST_SKIP() << "no setpriv (util-linux)";
  const BenchRun run = ipc_bench({"-t", "pipe", "-n", "2000"}, {},
                            {*setpriv(), "--inh-caps=-all", "--bounding-set=-all", "--"});
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  const std::string source = run.doc.at("context").at("explain_source");
  EXPECT_NE(source.find("syscalls: absent: perf_event_open refused"), std::string::npos) << source;
  EXPECT_NE(source.find("perf_event_paranoid"), std::string::npos) << source;
  const json& b = benchmark_named(run.doc, "pipe/");
  EXPECT_FALSE(b.contains("producer_syscalls"));
  EXPECT_FALSE(b.contains("consumer_syscalls"));
  // What every user can read still counts: switches from getrusage and proc.
  EXPECT_TRUE(b.contains("producer_switches"));
  EXPECT_TRUE(b.contains("consumer_involuntary_switches"));
}

TEST(SideCounters, CountTheCallingThreadsOwnSystemCalls) {
  const SideCounters counters = SideCounters::calling_thread();
  const SideCounts before = counters.read();
  for (int i = 0; i < 100; ++i) (void)::syscall(SYS_getppid);
  const SideCounts after = counters.read();
  const SideCounts d = difference(before, after);
  if (!d[SideEvent::syscalls]) GTEST_SKIP() << counters.source(SideEvent::syscalls);
  // The 100 calls, the second read, and nothing the other threads did.
  EXPECT_GE(*d[SideEvent::syscalls], 100u);
  EXPECT_LE(*d[SideEvent::syscalls], 105u);
}

TEST(SideCounters, AnAbsentCounterSaysWhyAndAPresentOneItsSource) {
  const SideCounters counters = SideCounters::process(::getpid());
  const SideCounts reading = counters.read();
  for (std::size_t i = 0; i < kSideEvents; ++i) {
    const auto e = static_cast<SideEvent>(i);
    SCOPED_TRACE(std::string(side_event_name(e)));
    EXPECT_FALSE(counters.source(e).empty());
    if (counters.source(e).starts_with("absent: ")) {
      EXPECT_FALSE(reading[e].has_value());
    }
  }
}

TEST(SideCounters, AProcessThatIsGoneHasNoCounters) {
  const SideCounters counters = SideCounters::process(999'999'999);
  const SideCounts reading = counters.read();
  for (std::size_t i = 0; i < kSideEvents; ++i) EXPECT_FALSE(reading.value[i].has_value());
  EXPECT_TRUE(counters.source(SideEvent::switches).starts_with("absent: "));
}

TEST(SideCounters, ADifferenceIsAbsentWhereEitherReadingIs) {
  SideCounts before, after;
  before[SideEvent::switches] = 5;
  after[SideEvent::switches] = 8;
  after[SideEvent::syscalls] = 3;
  before[SideEvent::page_faults] = 9;
  after[SideEvent::page_faults] = 4;  // went backwards: a thread ended
  const SideCounts d = difference(before, after);
  EXPECT_EQ(d[SideEvent::switches], 3u);
  EXPECT_FALSE(d[SideEvent::syscalls].has_value());
  EXPECT_FALSE(d[SideEvent::page_faults].has_value());
}

}  // namespace
}  // namespace ipc

namespace ipc {
namespace {

// The machine's floor and noise (benches/machine_probes.hpp), in the same run.
TEST(Floor, EveryPinnedResultCarriesTheFloorOfItsCpuPairAndItsRatio) {
  if (!two_cpus()) GTEST_SKIP() << "needs two CPUs";
  const BenchRun run = ipc_bench({"-t", "pipe,shm_spin", "-n", "2000", "--placement", "split,same"});
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  const json& pipe_split = benchmark_named(run.doc, "pipe/payload:4/placement:split");
  const json& pipe_same = benchmark_named(run.doc, "pipe/payload:4/placement:same");
  const json& spin = benchmark_named(run.doc, "shm_spin/payload:4/placement:split");
  EXPECT_GT(at(pipe_split, "floor_cacheline_ns"), 0.0);
  EXPECT_GT(at(pipe_split, "floor_wakeup_ns"), 0.0);
  // A sleeping transport over the wake-up, a spinning one over the cache line.
  EXPECT_NEAR(at(pipe_split, "vs_floor"), at(pipe_split, "real_time") / at(pipe_split, "floor_wakeup_ns"),
              1e-6 * at(pipe_split, "vs_floor"));
  EXPECT_NEAR(at(spin, "vs_floor"), at(spin, "real_time") / at(spin, "floor_cacheline_ns"), 1e-6 * at(spin, "vs_floor"));
  // The same pair, measured once: both results of CPUs 0,1 carry one figure.
  EXPECT_EQ(at(spin, "floor_wakeup_ns"), at(pipe_split, "floor_wakeup_ns"));
  // One CPU has a wake-up floor but no cache-line one.
  EXPECT_GT(at(pipe_same, "floor_wakeup_ns"), 0.0);
  EXPECT_FALSE(pipe_same.contains("floor_cacheline_ns"));
  const json& context = run.doc.at("context");
  EXPECT_NE(context.at("floor").get<std::string>().find("cacheline absent (one CPU"), std::string::npos)
      << context.at("floor");
  const std::string noise = context.at("noise");
  for (const char* part : {"before CPU 0", "after CPU 0", "gaps/s", "p99.9", "lost"})
    EXPECT_NE(noise.find(part), std::string::npos) << part << " in " << noise;
  EXPECT_TRUE(context.contains("steal"));
  // The console: a floor and noise line per CPU pair above the table.
  const auto used = [&](const char* placement) {
    const std::string cpus = context.at("cpus_used");
    const auto at = cpus.find(std::string(placement) + "=");
    return cpus.substr(at + std::strlen(placement) + 1, cpus.find(' ', at) - at - std::strlen(placement) - 1);
  };
  EXPECT_NE(run.result.out.find("CPUs " + used("split") + ": floor cache line "), std::string::npos) << run.result.out;
  EXPECT_NE(run.result.out.find("CPUs " + used("same") + ": floor cache line -, wake-up "), std::string::npos)
      << run.result.out;
}

TEST(Floor, AnUnpinnedResultHasNoFloor) {
  const BenchRun run = ipc_bench({"-t", "pipe", "-n", "1000", "--placement", "none"});
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  const json& b = benchmark_named(run.doc, "pipe/");
  EXPECT_FALSE(b.contains("floor_wakeup_ns"));
  EXPECT_FALSE(b.contains("vs_floor"));
  EXPECT_EQ(run.doc.at("context").at("floor"), "none (no pinned pair of CPUs)");
}

TEST(Explain, TheExplanationTableFitsTheConsoleAndNamesItsColumns) {
  const BenchRun run = ipc_bench({"-t", "pipe,uring_msg_ring", "-n", "1000", "--explain"});
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  EXPECT_NE(run.result.out.find("sys P sys C sw P sw C inv P inv C mig P mig C"), std::string::npos) << run.result.out;
  EXPECT_NE(run.result.out.find(" x floor\n"), std::string::npos) << run.result.out;
  for (const std::string& line : test::lines(run.result.out)) EXPECT_LE(line.size(), 100u) << line;
}

}  // namespace
}  // namespace ipc

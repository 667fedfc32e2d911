// What the Windows platform layer promises beyond the registry-driven
// transport tests: the leftover check sees a mapping, consumers are pinned
// and in the kill-on-close job, ipc_bench.exe speaks the Linux names.
#include "ipc/windows/win32.hpp"
#include <tlhelp32.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "test_support.hpp"
#include "ipc/child_process.hpp"
#include "ipc/consumer_path.hpp"
#include "ipc/registry.hpp"
#include "ipc/placement.hpp"
#include "ipc/shared_memory.hpp"
#include "ipc/topology.hpp"

namespace ipc {
namespace {

// The transport tests' "nothing left behind" can fail: it sees a live mapping.
TEST(WindowsLeftovers, SeeAMappingUntilBothHandlesAreClosed) {
  const pid_t self = test::own_pid();
  {
    SharedMemory created = SharedMemory::create(4096);
    ASSERT_EQ(test::leftovers_of(self), std::vector<std::string>{"Local/" + created.name().substr(6)});
    const SharedMemory opened = SharedMemory::open(created.name(), 4096);
    created.unlink();
    // The opener closed its handle once mapped, the creator unlinked: the
    // name is gone while both views stay valid.
    EXPECT_EQ(test::leftovers_of(self), std::vector<std::string>{});
    created.data()[0] = std::byte{42};
    EXPECT_EQ(opened.data()[0], std::byte{42});
  }
  EXPECT_EQ(test::leftovers_of(self), std::vector<std::string>{});
}

// GetLogicalProcessorInformationEx names every CPU's core, cache and node:
// each allowed CPU is known, and placement offers what the topology has.
// Only what the machine reports: GetLogicalProcessorInformationEx always
// names a CPU's core, node and package, but its caches only where the
// system knows them (wine reads them from Linux's cache sysfs, which some
// machines lack).
TEST(WindowsTopology, KnowsEveryAllowedCpu) {
  const Topology topology = Topology::read();
  const std::vector<int> allowed = allowed_cpus();
  ASSERT_FALSE(allowed.empty());
  bool every_llc_known = true;
  for (const int cpu : allowed) {
    const CpuTopology* known = topology.find(cpu);
    ASSERT_NE(known, nullptr) << "CPU " << cpu;
    EXPECT_TRUE(known->core && known->node && known->package) << "CPU " << cpu;
    every_llc_known = every_llc_known && known->llc;
  }
  const auto placements = available_placements(topology, allowed);
  EXPECT_NE(std::ranges::find(placements, Placement::same), placements.end());
  if (allowed.size() > 1) {
    EXPECT_NE(std::ranges::find(placements, Placement::split), placements.end());
    // Two CPUs whose caches are known form some class: smt, llc, cross_llc or cross_node.
    if (every_llc_known) {
      EXPECT_TRUE(classify_pair(allowed[0], allowed[1], topology).has_value());
    }
  }
}

TEST(WindowsChildProcess, IsPinnedAndInTheKillOnCloseJob) {
  const auto child = ChildProcess::spawn({Command(test::built("pipe_consumer")), {"--payload", "4"}, {}, 1});
  const HANDLE process = ::OpenProcess(PROCESS_QUERY_INFORMATION, FALSE, static_cast<DWORD>(child.pid()));
  ASSERT_NE(process, nullptr);
  DWORD_PTR mask = 0, system = 0;
  ASSERT_TRUE(::GetProcessAffinityMask(process, &mask, &system));
  EXPECT_EQ(mask, DWORD_PTR{2});
  BOOL in_job = FALSE;
  ASSERT_TRUE(::IsProcessInJob(process, nullptr, &in_job));
  EXPECT_TRUE(in_job);
  ::CloseHandle(process);
}

TEST(WindowsChildProcess, ACommandLineArrivesWordForWord) {
  // Quoting (ChildProcess::spawn) must survive spaces, quotes and
  // backslashes before quotes: CLI11 in the consumer reads the words back.
  const auto result = test::run_command({test::built("pipe_consumer"), "--payload", "a b\\\" c\\\\"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("'a b\\\" c\\\\' is not a size"), std::string::npos) << result.err;
}

TEST(WindowsCli, JsonNamesAreTheLinuxNames) {
  const std::string json = (std::filesystem::temp_directory_path() / "ipc_bench_windows_names.json").string();
  std::vector<std::string> names;
  for (const Transport& t : transports()) names.emplace_back(t.name);
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ",") + n;
  const auto result = test::run_command(
      {test::built("ipc_bench"), "-t", list, "-p", "4,4096", "--placement", "none", "-n", "300", "--json", json});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto parsed = nlohmann::json::parse(std::ifstream(json));
  std::set<std::string> got, expected;
  for (const auto& b : parsed.at("benchmarks")) {
    got.insert(b.at("name").get<std::string>());
    EXPECT_GT(b.at("real_time").get<double>(), 0) << b.at("name");
    EXPECT_LE(b.at("min_ns").get<double>(), b.at("p50_ns").get<double>()) << b.at("name");
    EXPECT_LE(b.at("p50_ns").get<double>(), b.at("max_ns").get<double>()) << b.at("name");
  }
  for (const std::string& t : names)
    for (const char* p : {"4", "4096"}) expected.insert(t + "/payload:" + p + "/placement:none/iterations:300/real_time");
  EXPECT_EQ(got, expected);
  EXPECT_NE(parsed.at("context").at("kernel").get<std::string>().find("Windows"), std::string::npos);
  std::filesystem::remove(json);
}

// The processes whose parent is `pid` (a Toolhelp snapshot).
std::vector<DWORD> children_of(DWORD pid) {
  std::vector<DWORD> children;
  const HANDLE snapshot = ::CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
  if (snapshot == INVALID_HANDLE_VALUE) return children;
  PROCESSENTRY32W entry{};
  entry.dwSize = sizeof entry;
  for (BOOL more = ::Process32FirstW(snapshot, &entry); more; more = ::Process32NextW(snapshot, &entry))
    if (entry.th32ParentProcessID == pid) children.push_back(entry.th32ProcessID);
  ::CloseHandle(snapshot);
  return children;
}

// The job's promise: ipc_bench killed outright (no handler runs) takes its
// consumer with it.  ipc_bench is started outside any job, as from a shell
// (ChildProcess would put it in this process's job, which wine 8 cannot
// nest ipc_bench's own job in).
TEST(WindowsChildProcess, AConsumerDiesWithAKilledIpcBench) {
  std::wstring line = L"ipc_bench -t pipe --placement none -n 100000000";
  const std::wstring exe = win32::widen(test::built("ipc_bench"));
  STARTUPINFOW startup{};
  startup.cb = sizeof startup;
  PROCESS_INFORMATION info{};
  ASSERT_TRUE(::CreateProcessW(exe.c_str(), line.data(), nullptr, nullptr, FALSE, 0, nullptr, nullptr, &startup, &info));
  ::CloseHandle(info.hThread);
  struct Bench {
    HANDLE process;
    DWORD id;
    [[nodiscard]] pid_t pid() const { return static_cast<pid_t>(id); }
    void kill() const { ::TerminateProcess(process, 137); }
    ~Bench() {
      kill();
      ::CloseHandle(process);
    }
  } bench{info.hProcess, info.dwProcessId};
  std::vector<DWORD> consumers;
  for (int i = 0; i < 1000 && consumers.empty(); ++i) {
    ::Sleep(10);
    consumers = children_of(static_cast<DWORD>(bench.pid()));
  }
  ASSERT_EQ(consumers.size(), 1u) << "no consumer appeared within 10 s";
  const HANDLE consumer = ::OpenProcess(SYNCHRONIZE, FALSE, consumers.front());
  ASSERT_NE(consumer, nullptr);
  bench.kill();
  EXPECT_EQ(::WaitForSingleObject(consumer, 10'000), WAIT_OBJECT_0) << "the consumer outlived ipc_bench";
  ::CloseHandle(consumer);
}

TEST(WindowsCli, AConsumerThatFailsIsOneErrorAndExitOne) {
  const auto result = test::run_command(
      {test::built("ipc_bench"), "-t", "pipe", "-n", "100", "--consumer-cmd", test::exits_with_status_1()});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  // As on Linux: the failure is the summary's FAILED line, on stdout.
  EXPECT_NE(result.out.find("FAILED pipe/payload:4/placement:split"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("exited with status 1"), std::string::npos) << result.out;
}

TEST(WindowsCli, BadInputIsOneLineAndExitTwo) {
  const auto result = test::run_command({test::built("ipc_bench"), "-t", "eventfd"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(test::lines(result.err).size(), 1u) << result.err;
  EXPECT_NE(result.err.find("eventfd"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace ipc

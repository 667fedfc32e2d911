// What the Windows platform layer promises beyond the registry-driven
// transport tests: the leftover check sees a mapping, consumers are pinned
// and in the kill-on-close job, ipc_bench.exe speaks the Linux names.
#define WIN32_LEAN_AND_MEAN
#define NOMINMAX
#include <windows.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>

#include "../test_support.hpp"
#include "ipc/child_process.hpp"
#include "ipc/consumer_path.hpp"
#include "ipc/registry.hpp"
#include "ipc/shared_memory.hpp"

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

TEST(WindowsCli, BadInputIsOneLineAndExitTwo) {
  const auto result = test::run_command({test::built("ipc_bench"), "-t", "eventfd"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(test::lines(result.err).size(), 1u) << result.err;
  EXPECT_NE(result.err.find("eventfd"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace ipc

// The named resources of a live run are private: shared memory, FIFOs and
// mapped files mode 0600, directories 0700.  For every transport in the
// registry, a producer is held in its handshake by a consumer that never
// answers, while the test looks at everything it created.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <cstdio>
#include <map>
#include <string>
#include <thread>

#include "ipc/error.hpp"
#include "ipc/registry.hpp"
#include "test_support.hpp"

namespace ipc {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Path -> permission bits of every resource of this process seen right now.
void look(std::map<std::string, unsigned>& seen) {
  const auto note = [&](const fs::path& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) seen[path.string()] = st.st_mode & 07777;
  };
  for (const std::string& name : test::shm_entries_of(::getpid())) note(fs::path("/dev/shm") / name);
  for (const std::string& name : test::temp_entries_of(::getpid())) {
    const fs::path dir = fs::temp_directory_path() / name;
    note(dir);
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (!entry.is_socket(ec)) note(entry.path());  // a socket file's mode is the umask's; its directory guards it
    }
  }
}

class SecurityTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SecurityTest, LiveResourcesArePrivate) {
  const Transport& transport = *find_transport(GetParam());
  IPC_SKIP_IF_UNAVAILABLE(transport);
  auto start = std::async(std::launch::async, [&] {
    try {
      (void)transport.start({4, test::built("silent_consumer"), std::nullopt, std::chrono::milliseconds(1500)});
    } catch (const Error&) {
      // Expected: the silent consumer never gets ready.
    }
  });
  std::map<std::string, unsigned> seen;
  while (start.wait_for(5ms) != std::future_status::ready) look(seen);
  start.get();
  const std::string temp = fs::temp_directory_path().string() + "/";
  for (const auto& [path, mode] : seen) {
    const bool private_directory = path.starts_with(temp) && path.find('/', temp.size()) == std::string::npos;
    EXPECT_EQ(mode, private_directory ? 0700u : 0600u) << std::oct << path << " has mode " << mode;
  }
  std::printf("[ resources ] %s: %zu seen while live\n", GetParam().c_str(), seen.size());
  EXPECT_EQ(test::leftovers_of(::getpid()), std::vector<std::string>{});
}

std::vector<std::string> names() {
  std::vector<std::string> all;
  for (const Transport& t : transports()) all.emplace_back(t.name);
  return all;
}

INSTANTIATE_TEST_SUITE_P(Registry, SecurityTest, ::testing::ValuesIn(names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ipc

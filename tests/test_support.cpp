#include "test_support.hpp"

#include <dirent.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ipc/child_process.hpp"
#include "ipc/consumer_path.hpp"
#include "ipc/error.hpp"

namespace ipc::test {
namespace {

std::string slurp(int fd) {
  std::string text;
  char buf[4096];
  ::lseek(fd, 0, SEEK_SET);
  for (ssize_t r; (r = ::read(fd, buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(r));
  return text;
}

// Sets environment variables for the lifetime of the object.
class ScopedEnv {
 public:
  explicit ScopedEnv(const std::vector<std::string>& entries) {
    for (const std::string& entry : entries) {
      const auto eq = entry.find('=');
      const std::string name = entry.substr(0, eq);
      const char* old = std::getenv(name.c_str());
      saved_.push_back({name, old ? std::optional<std::string>(old) : std::nullopt});
      ::setenv(name.c_str(), entry.substr(eq + 1).c_str(), 1);
    }
  }
  ~ScopedEnv() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        ::setenv(name.c_str(), value->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::seconds limit,
                          const std::vector<std::string>& env) {
  UniqueFd out(::memfd_create("stdout", MFD_CLOEXEC)), err(::memfd_create("stderr", MFD_CLOEXEC));
  if (!out || !err) throw_errno("memfd_create");
  CommandResult result;
  {
    const ScopedEnv scoped(env);
    ChildProcess child = ChildProcess::spawn(
        {argv.at(0), {argv.begin() + 1, argv.end()}, {{out.get(), STDOUT_FILENO}, {err.get(), STDERR_FILENO}}, {}});
    auto status = child.wait_for(std::chrono::duration_cast<std::chrono::milliseconds>(limit));
    if (!status) status = child.kill_and_reap();
    result.exit_code = status->signal ? 128 + status->signal : status->code;
  }
  result.out = slurp(out.get());
  result.err = slurp(err.get());
  return result;
}

std::string built(const std::string& executable) { return consumer_path(executable); }

std::vector<std::string> shm_entries_of(pid_t pid) {
  std::vector<std::string> found;
  const std::string prefix = fmt::format("ipc_bench-{}-", pid);
  for (const auto& entry : std::filesystem::directory_iterator("/dev/shm")) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(prefix)) found.push_back(name);
  }
  return found;
}

std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> children;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    std::string stat;
    std::getline(in, stat);
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 1));
    char state = 0;
    pid_t parent = 0;
    if (rest >> state >> parent && parent == pid) children.push_back(std::stoi(name));
  }
  return children;
}

std::vector<std::string> temp_entries_of(pid_t pid) {
  std::vector<std::string> found;
  const std::string prefix = fmt::format("ipc_bench-{}-", pid);
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::temp_directory_path())) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(prefix)) found.push_back(name);
  }
  return found;
}

std::set<int> open_descriptors() {
  std::set<int> fds;
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) throw_errno("opendir /proc/self/fd");
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    const int fd = std::atoi(entry->d_name);
    if (fd != ::dirfd(dir)) fds.insert(fd);
  }
  ::closedir(dir);
  return fds;
}

std::string describe_descriptor(int fd) {
  std::error_code ec;
  const auto target = std::filesystem::read_symlink(fmt::format("/proc/self/fd/{}", fd), ec);
  return ec ? "closed" : target.string();
}

bool process_exists(pid_t pid) { return ::kill(pid, 0) == 0 || errno != ESRCH; }

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> result;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) result.push_back(line);
  return result;
}

}  // namespace ipc::test

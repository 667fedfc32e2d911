#include "test_support.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

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

namespace {

std::vector<std::string> entries_with_prefix(const std::filesystem::path& directory, const std::string& prefix) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(prefix)) found.push_back(name);
  }
  return found;
}

// The names in a freshly mounted mqueue file system, listed by a child in a
// mount namespace of its own, so that nobody else sees the mount.  Between
// fork and _exit the child makes system calls only.  nullopt if it could not.
std::optional<std::vector<std::string>> mqueue_names_from_private_mount() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe2");
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  const pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) {
    const char* mount_point = "/tmp";  // hidden by the mount in this namespace only
    if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        ::mount("mqueue", mount_point, "mqueue", 0, nullptr) != 0)
      ::_exit(3);
    const int dir = ::open(mount_point, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) ::_exit(4);
    alignas(8) char buf[8192];
    for (long n; (n = ::syscall(SYS_getdents64, dir, buf, sizeof buf)) > 0;) {
      for (long offset = 0; offset < n;) {
        const auto* d = reinterpret_cast<const struct dirent64*>(buf + offset);
        const char* name = d->d_name;
        std::size_t length = 0;
        while (name[length] != 0) ++length;
        if (::write(fds[1], name, length) < 0 || ::write(fds[1], "\n", 1) < 0) ::_exit(5);
        offset += d->d_reclen;
      }
    }
    ::_exit(0);
  }
  write_end.reset();
  std::string listing;
  char buf[4096];
  for (ssize_t r; (r = ::read(read_end.get(), buf, sizeof buf)) != 0;) {
    if (r > 0) listing.append(buf, static_cast<std::size_t>(r));
    else if (errno != EINTR) break;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  std::vector<std::string> names;
  for (std::string& line : lines(listing))
    if (line != "." && line != "..") names.push_back(std::move(line));
  return names;
}

// f_type of an mqueue file system (linux/magic.h does not export it).
constexpr unsigned long kMqueueMagic = 0x19800202;

}  // namespace

std::vector<std::string> mqueue_entries_of(pid_t pid) {
  const std::string prefix = fmt::format("ipc_bench-{}-", pid);
  struct statfs fs {};
  if (::statfs("/dev/mqueue", &fs) == 0 && static_cast<unsigned long>(fs.f_type) == kMqueueMagic)
    return entries_with_prefix("/dev/mqueue", prefix);
  const auto names = mqueue_names_from_private_mount();
  if (!names) {
    static bool noted = false;
    if (!std::exchange(noted, true))
      std::fputs("note: no mqueue file system at /dev/mqueue and none can be mounted here: POSIX message queues left "
                 "behind cannot be seen\n",
                 stderr);
    return {};
  }
  std::vector<std::string> found;
  for (const std::string& name : *names)
    if (name.starts_with(prefix)) found.push_back(name);
  return found;
}

std::vector<std::string> shm_entries_of(pid_t pid) {
  return entries_with_prefix("/dev/shm", fmt::format("ipc_bench-{}-", pid));
}

std::vector<std::string> temp_entries_of(pid_t pid) {
  return entries_with_prefix(std::filesystem::temp_directory_path(), fmt::format("ipc_bench-{}-", pid));
}

std::vector<std::string> sysv_queues_of(pid_t pid) {
  // key msqid perms cbytes qnum lspid lrpid uid gid cuid cgid stime rtime ctime
  std::ifstream in("/proc/sysvipc/msg");
  std::vector<std::string> found;
  std::string line;
  std::getline(in, line);  // the column names
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    long long key = 0;
    int id = 0;
    unsigned perms = 0;
    unsigned long bytes = 0, messages = 0;
    pid_t sender = 0, receiver = 0;
    if (!(fields >> key >> id >> perms >> bytes >> messages >> sender >> receiver)) continue;
    if (key == 0 && (sender == pid || receiver == pid)) found.push_back(std::to_string(id));
  }
  return found;
}

std::vector<std::string> leftovers_of(pid_t pid) {
  std::vector<std::string> found;
  for (const std::string& name : shm_entries_of(pid)) found.push_back("/dev/shm/" + name);
  for (const std::string& name : mqueue_entries_of(pid)) found.push_back("/dev/mqueue/" + name);
  for (const std::string& name : temp_entries_of(pid))
    found.push_back((std::filesystem::temp_directory_path() / name).string());
  for (const std::string& id : sysv_queues_of(pid)) found.push_back("System V message queue " + id);
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

pid_t own_pid() { return ::getpid(); }

void kill_process(pid_t pid) { ::kill(pid, SIGKILL); }

const char* const kKilledFate = "SIGKILL";

bool freeze_process(pid_t pid) { return ::kill(pid, SIGSTOP) == 0; }

std::string exits_with_status_1() { return "/bin/false"; }


}  // namespace ipc::test

#include "ipc/transport/iceoryx/roudi.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iceoryx_hoofs/log/logmanager.hpp>
#include <iceoryx_posh/runtime/posh_runtime.hpp>
#include <optional>
#include <pwd.h>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "ipc/consumer_path.hpp"
#include "ipc/error.hpp"
#include "ipc/private_directory.hpp"
#include "ipc/unique_fd.hpp"

extern char** environ;

namespace ipc::transport::iceoryx {
namespace {

using namespace std::chrono_literals;

constexpr const char* kRoudiLock = "/tmp/roudi.lock";
constexpr const char* kStartLock = "/tmp/ipc_bench-roudi.lock";
constexpr const char* kUsers = "/tmp/ipc_bench-roudi.users";
constexpr const char* kPidFile = "/tmp/ipc_bench-roudi.pid";
// What iox-roudi 2.0.3 reserves for its management segment with its built-in
// limits (ports, processes), whatever the mempools: measured, it prints it.
constexpr std::size_t kManagementBytes = 66761736;
// A chunk's header and the pool's bookkeeping, per chunk, with a margin.
constexpr std::size_t kChunkOverhead = 128;
// What a chunk holds above the payload: Cyclone DDS's header and the CDR
// encoding (108 bytes measured for 1 KiB), with a margin.
constexpr std::size_t kChunkMargin = 512;

struct Pool {
  std::size_t size;  // largest user payload of a chunk, bytes
  std::size_t count;
};

// A private RouDi may serve other ipc_bench runs that start while it lives
// (one RouDi per machine), each asking its own payloads: its pools are a
// ladder of sizes up to the largest payload asked, plus each payload asked,
// so that a run asking no more than that finds a pool for every loan.  Each
// chunk is 512 bytes above its payload: Cyclone DDS puts its own header and
// the sample's CDR encoding into the chunk, and iceoryx aborts the process
// when no pool fits a loan.  A ping-pong holds at most three chunks per
// direction (the one queued or being read, the publisher's last, the next
// loan); the counts leave room for several runs at once and for the chunks
// of a killed consumer, which RouDi reclaims only once it has noticed.
std::vector<Pool> pools_for(std::span<const std::size_t> payloads) {
  const auto chunk = [](std::size_t payload) { return (std::min(payload, kMaxPayload) + kChunkMargin + 63) / 64 * 64; };
  std::set<std::size_t> sizes{64};
  std::size_t largest = 0;
  for (const std::size_t p : payloads) {
    sizes.insert(chunk(p));
    largest = std::max(largest, chunk(p));
  }
  for (const std::size_t rung : {std::size_t{1024}, std::size_t{4096}, std::size_t{64 * 1024}, std::size_t{1024 * 1024}})
    if (chunk(rung) < largest) sizes.insert(chunk(rung));
  std::vector<Pool> pools;
  for (const std::size_t s : sizes) pools.push_back({s, s > 1024 * 1024 ? 8u : s > 64 * 1024 + kChunkMargin ? 16u : 64u});
  return pools;
}

std::size_t segment_bytes(const std::vector<Pool>& pools) {
  std::size_t bytes = kManagementBytes + 1024 * 1024;
  for (const Pool& p : pools) bytes += p.count * (p.size + kChunkOverhead);
  return bytes;
}

std::string toml(const std::vector<Pool>& pools) {
  std::string text = "[general]\nversion = 1\n\n[[segment]]\n";
  for (const Pool& p : pools) text += fmt::format("\n[[segment.mempool]]\nsize = {}\ncount = {}\n", p.size, p.count);
  return text;
}

void check_free_shm(std::size_t needed) {
  struct statvfs fs{};
  if (::statvfs("/dev/shm", &fs) != 0) return;  // RouDi's own error remains
  const auto free_bytes = static_cast<std::size_t>(fs.f_bavail) * fs.f_frsize;
  if (free_bytes < needed)
    throw Error(fmt::format("/dev/shm has {} bytes free, {} needed for RouDi's segments: free some, or remount it "
                            "larger (mount -o remount,size=... /dev/shm), or ask for smaller payloads",
                            free_bytes, needed));
}

bool process_is_roudi(pid_t pid) {
  std::ifstream comm(fmt::format("/proc/{}/comm", pid));
  std::string name;
  return std::getline(comm, name) && name == "iox-roudi";
}

// A RouDi holds an exclusive flock() on its lock file while it runs.
bool roudi_running() {
  const UniqueFd fd(::open(kRoudiLock, O_RDONLY | O_CLOEXEC));
  if (!fd) return errno == EACCES;  // another user's RouDi
  return ::flock(fd.get(), LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
}

// The RouDi whose /tmp/roudi.lock this process sees: one in its own mount
// namespace.  A RouDi of another namespace (a container, a test's private
// /tmp and /dev/shm) shows in /proc too, but serves nobody here.
std::optional<pid_t> running_roudi_pid() {
  std::error_code ec;
  const auto own = std::filesystem::read_symlink("/proc/self/ns/mnt", ec);
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto pid = static_cast<pid_t>(std::stol(name));
    if (!process_is_roudi(pid)) continue;
    std::error_code unreadable;
    const auto theirs = std::filesystem::read_symlink(entry.path() / "ns" / "mnt", unreadable);
    if (own.empty() || unreadable || theirs == own) return pid;
  }
  return std::nullopt;
}

// The pid file: "<pid> <largest chunk payload>" of the RouDi ipc_bench started.
std::optional<std::pair<pid_t, std::size_t>> pid_file_roudi() {
  std::ifstream in(kPidFile);
  long pid = 0;
  std::size_t largest = 0;
  if (!(in >> pid >> largest) || pid <= 0 || !process_is_roudi(static_cast<pid_t>(pid))) return std::nullopt;
  return std::pair(static_cast<pid_t>(pid), largest);
}

// The largest chunk payload of a RouDi that ipc_bench did not start: that of
// its system configuration, else iox-roudi 2.0's built-in one (4 MiB).
std::size_t configured_largest_chunk() {
  std::ifstream in("/etc/iceoryx/roudi_config.toml");
  std::size_t largest = 0;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string key, equals;
    std::size_t size = 0;
    if (fields >> key >> equals >> size && key == "size" && equals == "=") largest = std::max(largest, size);
  }
  return largest > 0 ? largest : 4 * 1024 * 1024;
}

UniqueFd open_lock(const char* path) {
  UniqueFd fd(::open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd) throw_errno(std::string("open ") + path);
  return fd;
}

void lock(const UniqueFd& fd, int operation, const char* path) {
  while (::flock(fd.get(), operation) != 0)
    if (errno != EINTR) throw_errno(std::string("flock ") + path);
}

std::string last_line(const std::string& path) {
  std::ifstream in(path);
  std::string line, last = "(it logged nothing)";
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

bool logged_ready(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (line.find("RouDi is ready for clients") != std::string::npos) return true;
  return false;
}

// Starts iox-roudi in a session of its own, its output in a log; returns once
// it says it is ready for clients.  The configuration and the log are
// unlinked then: RouDi has read the one and keeps the other open.
pid_t start_roudi(const std::string& executable, const std::vector<Pool>& pools, std::chrono::milliseconds timeout) {
  check_free_shm(segment_bytes(pools));
  const PrivateDirectory directory = PrivateDirectory::create();
  const std::string config = directory.entry("roudi.toml"), log = directory.entry("roudi.log");
  {
    // 0600 as every file ipc_bench creates; an ofstream would take the umask's 0644.
    const UniqueFd fd(::open(config.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    const std::string text = toml(pools);
    if (!fd || ::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
      throw Error(fmt::format("writing {}: {}", config, std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawnattr_init(&attributes);
  ::posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ::posix_spawn_file_actions_adddup2(&actions, 1, 2);
  ::posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  ::posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK);
  sigset_t none;
  sigemptyset(&none);
  ::posix_spawnattr_setsigmask(&attributes, &none);
  std::vector<std::string> words{executable, "-c", config, "-l", "info"};
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int r = ::posix_spawn(&pid, executable.c_str(), &actions, &attributes, argv.data(), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  ::posix_spawnattr_destroy(&attributes);
  if (r != 0) throw Error(fmt::format("starting {}: {}", executable, std::strerror(r)));
  // Polled: RouDi offers no descriptor to wait on before it accepts clients.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!logged_ready(log)) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid)
      throw Error(fmt::format("iox-roudi exited before it was ready: {}", last_line(log)));
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGTERM);
      throw Error(fmt::format("iox-roudi was not ready for clients within {} ms: {}", timeout.count(), last_line(log)));
    }
    std::this_thread::sleep_for(1ms);
  }
  std::ofstream(kPidFile) << pid << ' ' << pools.back().size << '\n';
  return pid;
}

// What a RouDi killed before it could clean up leaves; removed only once no
// RouDi runs.
void remove_roudi_names() {
  const passwd* user = ::getpwuid(::geteuid());
  ::shm_unlink("iceoryx_mgmt");
  if (user != nullptr) ::shm_unlink(user->pw_name);
  for (const char* path : {"/tmp/roudi", kRoudiLock, "/tmp/iox-unique-roudi.lock"}) ::unlink(path);
}

// Waits for `pid` (a child or not) to end, up to `limit`.
bool wait_gone(pid_t pid, std::chrono::milliseconds limit) {
  const UniqueFd fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!fd) return errno == ESRCH;
  pollfd p{fd.get(), POLLIN, 0};
  const bool gone = ::poll(&p, 1, static_cast<int>(limit.count())) == 1;
  ::waitpid(pid, nullptr, WNOHANG);  // reaps it when it was our child
  return gone;
}

class Session {
 public:
  Session(std::span<const std::size_t> payloads, std::chrono::milliseconds timeout)
      : start_lock_(open_lock(kStartLock)), users_(open_lock(kUsers)) {
    lock(start_lock_, LOCK_EX, kStartLock);
    lock(users_, LOCK_SH, kUsers);
    try {
      if (roudi_running()) {
        const auto pid = running_roudi_pid();
        const auto started = pid_file_roudi();
        // A private RouDi of an ipc_bench that is gone: ours now to stop.
        owned_ = pid && started && started->first == *pid;
        largest_ = owned_ ? started->second : configured_largest_chunk();
        pid_ = pid.value_or(-1);
        context_ = pid ? fmt::format("running (pid {})", *pid) : "running (pid unknown: another user's)";
      } else {
        const auto executable = find_executable("iox-roudi");
        if (!executable) throw Error(roudi_unavailable());
        const auto pools = pools_for(payloads);
        pid_ = start_roudi(*executable, pools, std::max(timeout, std::chrono::milliseconds(10s)));
        largest_ = pools.back().size;
        owned_ = true;
        context_ = fmt::format("private (pid {})", pid_);
      }
    } catch (...) {
      ::flock(start_lock_.get(), LOCK_UN);
      throw;
    }
    ::flock(start_lock_.get(), LOCK_UN);
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // The last user stops a private RouDi; any other user leaves it running.
  ~Session() {
    if (::flock(start_lock_.get(), LOCK_EX) != 0) return;
    if (owned_ && ::flock(users_.get(), LOCK_EX | LOCK_NB) == 0 && process_is_roudi(pid_)) {
      ::kill(pid_, SIGTERM);
      if (!wait_gone(pid_, 10s)) {
        ::kill(pid_, SIGKILL);
        (void)wait_gone(pid_, 10s);
      }
      if (!roudi_running()) remove_roudi_names();
      ::unlink(kPidFile);
    }
    ::flock(users_.get(), LOCK_UN);
    ::flock(start_lock_.get(), LOCK_UN);
  }

  [[nodiscard]] const std::string& context() const noexcept { return context_; }
  [[nodiscard]] std::size_t largest_chunk() const noexcept { return largest_; }

 private:
  UniqueFd start_lock_;
  UniqueFd users_;
  pid_t pid_ = -1;
  bool owned_ = false;  // started by ipc_bench: stopped by its last user
  std::size_t largest_ = 0;  // its largest chunk payload, bytes
  std::string context_;
};

Session* session = nullptr;

}  // namespace

void ensure_roudi(std::span<const std::size_t> payloads, std::chrono::milliseconds timeout) {
  // Constructed before the runtime, so destroyed after it: the runtime has
  // unregistered when RouDi is stopped (RouDi would send SIGTERM to a
  // process still registered).
  static Session s(payloads, timeout);
  static const bool registered = [] {
    quiet_iceoryx_log();
    const std::string name = fmt::format("ipc_bench_{}", ::getpid());
    iox::runtime::PoshRuntime::initRuntime(iox::RuntimeName_t(iox::cxx::TruncateToCapacity, name.c_str()));
    return true;
  }();
  (void)registered;
  session = &s;
  // iceoryx 2.0 aborts the process when no mempool fits a loan: refused here.
  std::size_t asked = 0;
  for (const std::size_t p : payloads) asked = std::max(asked, std::min(p, kMaxPayload));
  if (asked + kChunkMargin > s.largest_chunk())
    throw Error(fmt::format("RouDi ({}) has no mempool for {}-byte samples: its largest chunk holds {} bytes, and "
                            "iceoryx needs {} above the payload (stop that RouDi to let ipc_bench start its own, "
                            "sized for the payloads asked)",
                            s.context(), asked, s.largest_chunk(), kChunkMargin));
}

void quiet_iceoryx_log() {
  iox::log::LogManager::GetLogManager().SetDefaultLogLevel(iox::log::LogLevel::kError,
                                                           iox::log::LogLevelOutput::kHideLogLevel);
}

void remove_runtime_sockets(pid_t pid) {
  std::error_code ec;
  const std::string cyclone = fmt::format("iceoryx_rt_{}_", pid);
  const std::string own = fmt::format("ipc_bench_c_{}", pid);
  for (const auto& entry : std::filesystem::directory_iterator("/tmp", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(cyclone) || name == own) ::unlink(entry.path().c_str());
  }
}

std::string roudi_context() { return session != nullptr ? session->context() : std::string(); }

std::string roudi_unavailable() {
  if (find_executable("iox-roudi") || roudi_running()) return {};
  return "no iox-roudi in PATH to start RouDi, and none runs (Debian: apt-get install iceoryx)";
}

}  // namespace ipc::transport::iceoryx

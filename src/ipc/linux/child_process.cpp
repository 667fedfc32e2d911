#include "ipc/child_process.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>

#include "ipc/error.hpp"

extern char** environ;

namespace ipc {
namespace {

// The pids spawned and not yet reaped.  A pid leaves the set before it is
// reaped, so kill_all_children() never signals a pid the kernel has reused.
struct LiveChildren {
  std::mutex mutex;
  std::set<pid_t> pids;
};

LiveChildren& live_children() {
  static LiveChildren live;
  return live;
}

void track(pid_t pid) {
  const std::scoped_lock lock(live_children().mutex);
  live_children().pids.insert(pid);
}

void forget(pid_t pid) noexcept {
  const std::scoped_lock lock(live_children().mutex);
  live_children().pids.erase(pid);
}

ExitStatus from_siginfo(const siginfo_t& info) {
  if (info.si_code == CLD_EXITED) return {info.si_status, 0};
  return {0, info.si_status};
}

// Runs in the child between fork and exec: async-signal-safe calls only.
[[noreturn]] void exec_child(const SpawnOptions& options, char* const* argv, pid_t parent,
                             int error_pipe) {
  auto fail = [error_pipe](int err) {
    [[maybe_unused]] ssize_t ignored = ::write(error_pipe, &err, sizeof err);
    ::_exit(127);
  };
  // A group of its own: what it starts (a wrapper's child, a backgrounded
  // helper) is ended with it, and the terminal's Ctrl-C reaches ipc_bench
  // alone, which then stops the consumers itself.
  if (::setpgid(0, 0) != 0) fail(errno);
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail(errno);
  if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect

  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  ::sigaction(SIGPIPE, &dfl, nullptr);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);

  // Park the sources above every target first, so that no dup2 overwrites a
  // source still to be mapped; then mark everything inherited close-on-exec.
  int highest_target = 2;
  for (const auto& [from, to] : options.fd_map) highest_target = std::max(highest_target, to);
  int parked[16];
  const std::size_t count = std::min<std::size_t>(options.fd_map.size(), 16);
  for (std::size_t i = 0; i < count; ++i) {
    parked[i] = ::fcntl(options.fd_map[i].first, F_DUPFD_CLOEXEC, highest_target + 1);
    if (parked[i] < 0) fail(errno);
  }
  ::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
  for (std::size_t i = 0; i < count; ++i) {
    if (::dup2(parked[i], options.fd_map[i].second) < 0) fail(errno);
  }

  if (options.cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(*options.cpu, &set);
    if (::sched_setaffinity(0, sizeof set, &set) != 0) fail(errno);
  }
  ::execve(options.command.executable().c_str(), argv, environ);
  fail(errno);
  ::_exit(127);
}

}  // namespace

std::string ExitStatus::describe() const {
  if (signal != 0) {
    const char* abbrev = ::sigabbrev_np(signal);
    return abbrev ? fmt::format("was killed by signal {} (SIG{})", signal, abbrev)
                  : fmt::format("was killed by signal {}", signal);
  }
  return fmt::format("exited with status {}", code);
}

ChildProcess ChildProcess::spawn(const SpawnOptions& options) {
  if (options.fd_map.size() > 16) throw Error("spawn: too many descriptors to pass");
  // Ignored, a consumer's death makes our next write fail with EPIPE instead
  // of killing ipc_bench; the child gets the default back before exec.
  ::signal(SIGPIPE, SIG_IGN);

  std::vector<std::string> storage(options.command.words());
  storage.insert(storage.end(), options.args.begin(), options.args.end());
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);

  int error_pipe[2];
  if (::pipe2(error_pipe, O_CLOEXEC) != 0) throw_errno("pipe2");
  UniqueFd error_read(error_pipe[0]), error_write(error_pipe[1]);

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) exec_child(options, argv.data(), parent, error_pipe[1]);
  // Also here, so that no signal to the group can come before the child's
  // own call (EACCES once it has exec'd: it has made the call by then).
  ::setpgid(pid, pid);

  track(pid);
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  ChildProcess child(pid, std::move(pidfd));
  if (!child.handle_) {
    child.kill_and_reap();
    throw_errno("pidfd_open");
  }
  error_write.reset();
  int child_errno = 0;
  ssize_t r;
  do {
    r = ::read(error_read.get(), &child_errno, sizeof child_errno);
  } while (r < 0 && errno == EINTR);
  if (r > 0) {
    child.kill_and_reap();
    throw Error(fmt::format("cannot start {}: {}", options.command.executable(), std::strerror(child_errno)));
  }
  return child;
}

std::optional<ExitStatus> ChildProcess::peek() const {
  if (status_) return status_;
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0 ||
      info.si_pid == 0) {
    return std::nullopt;
  }
  return from_siginfo(info);
}

std::optional<ExitStatus> ChildProcess::wait_for(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  pollfd p{handle_.get(), POLLIN, 0};
  int r;
  do {
    r = ::poll(&p, 1, static_cast<int>(timeout.count()));
  } while (r < 0 && errno == EINTR);
  if (r <= 0) return std::nullopt;
  end_group();
  forget(pid_);
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED) != 0) throw_errno("waitid");
  status_ = from_siginfo(info);
  return status_;
}

void ChildProcess::kill() const noexcept {
  if (pid_ <= 0 || status_) return;
  // Through the pidfd, so that a recycled pid can never be hit.
  if (handle_) {
    ::syscall(SYS_pidfd_send_signal, handle_.get(), SIGKILL, nullptr, 0);
  } else {
    ::kill(pid_, SIGKILL);
  }
  end_group();
}

void ChildProcess::end_group() const noexcept {
  // Only while the leader is unreaped: its pid, the group's id, cannot be
  // reused until then.
  if (pid_ > 0 && !status_) ::kill(-pid_, SIGKILL);
}

ExitStatus ChildProcess::kill_and_reap() noexcept {
  if (!status_) {
    kill();
    forget(pid_);
    siginfo_t info{};
    int r;
    do {
      r = ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED);
    } while (r != 0 && errno == EINTR);
    status_ = r == 0 ? from_siginfo(info) : ExitStatus{0, SIGKILL};
  }
  return *status_;
}

void kill_all_children() noexcept {
  const std::scoped_lock lock(live_children().mutex);
  for (const pid_t pid : live_children().pids) {
    ::kill(pid, SIGKILL);
    ::kill(-pid, SIGKILL);
  }
}

}  // namespace ipc

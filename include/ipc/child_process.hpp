#pragma once
// ChildProcess: a spawned executable that cannot outlive its owner.
//
// Linux (linux/child_process.cpp): fork + execve with an argument vector (never a
// shell).  Before exec the child asks the kernel for SIGKILL when its parent
// dies, maps the requested descriptors, drops every other inherited one,
// resets SIGPIPE and pins itself.
// Windows (windows/child_process.cpp): CreateProcessW, suspended, with the
// explicit list of handles it may inherit (PROC_THREAD_ATTRIBUTE_HANDLE_LIST),
// created inside a Job object (PROC_THREAD_ATTRIBUTE_JOB_LIST, with a job of
// its own nested in it: see end_group) that kills it
// when ipc_bench's last handle on the job closes
// (JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE: also when ipc_bench is killed), its
// affinity set, then resumed.
// Destroying a ChildProcess kills and reaps it.
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ipc/native_handle.hpp"

namespace ipc {

// A program to start: its executable (absolute, or relative to the cwd; no
// PATH search) and the arguments that come before the caller's own, e.g.
// {"/usr/bin/python3", "ipc_consumer.py", "pipe"}.  A plain path converts to a
// command of one word, so code that names an executable, such as
// SpawnOptions{options.consumer_path, {...}}, works unchanged with either.
class Command {
 public:
  Command() = default;
  Command(std::string executable) : words_{std::move(executable)} {}             // NOLINT: implicit on purpose
  Command(const char* executable) : Command(std::string(executable)) {}           // NOLINT: implicit on purpose
  explicit Command(std::vector<std::string> words) : words_(std::move(words)) {
    if (words_.empty()) words_.emplace_back();
  }

  [[nodiscard]] const std::string& executable() const noexcept { return words_.front(); }
  [[nodiscard]] const std::vector<std::string>& words() const noexcept { return words_; }
  // The words joined by single spaces, for messages.
  [[nodiscard]] std::string text() const;

 private:
  std::vector<std::string> words_{std::string()};
};

struct SpawnOptions {
  Command command;                                  // argv[0] is its executable; its other words come first
  std::vector<std::string> args;                    // the rest of argv
  // {descriptor here, number in the child}.  On Windows {handle, 0, 1 or 2}
  // becomes the child's standard input, output or error, and {handle, -1}
  // is only inherited, under the same value (the caller passes it in args).
  std::vector<std::pair<NativeHandle, int>> fd_map;
  std::optional<int> cpu;                           // pin the child to this CPU
};

// How a process ended.
struct ExitStatus {
  int code = 0;    // exit code, when signal == 0 (on Windows: the process's exit code, an NTSTATUS after a crash)
  int signal = 0;  // terminating signal, or 0 (always 0 on Windows)
  [[nodiscard]] bool success() const noexcept { return signal == 0 && code == 0; }
  [[nodiscard]] std::string describe() const;  // "exited with status 3", "was killed by signal 9 (SIGKILL)"
};

class ChildProcess {
 public:
  // Throws ipc::Error naming the path if the executable cannot be started.
  static ChildProcess spawn(const SpawnOptions& options);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  // Ready once the child has exited: a pidfd, readable, for poll() (Linux);
  // the process handle, signalled, for the Wait functions (Windows).
  [[nodiscard]] NativeHandle exit_handle() const noexcept { return handle_.get(); }

  // Waits up to `timeout` for the child to exit and reaps it.  Returns its
  // status, or nullopt if it is still running.
  std::optional<ExitStatus> wait_for(std::chrono::milliseconds timeout);
  // Sends SIGKILL (if not reaped yet) and reaps.
  ExitStatus kill_and_reap() noexcept;
  // Sends SIGKILL without reaping; safe from another thread.
  void kill() const noexcept;
  // The child and what it started end together: on Linux it leads a
  // process group of its own, killed when the child is killed and before
  // it is reaped (whatever it left running: a wrapper's child that was not
  // exec'd, a process in the background); on Windows a job of its own,
  // terminated the same way (KILL_ON_JOB_CLOSE: also when ipc_bench dies).
  // A descendant that leaves the group (setsid) or the job is its own.
  // "is still running", or how it ended, without reaping it.
  [[nodiscard]] std::string fate() const;

 private:
  std::optional<ExitStatus> peek() const;
  void end_group() const noexcept;  // SIGKILL to the child's group / TerminateJobObject

  pid_t pid_ = -1;
  ChildProcess(pid_t pid, UniqueNative handle) noexcept : pid_(pid), handle_(std::move(handle)) {}
  UniqueNative handle_;  // the pidfd (Linux), the process handle (Windows)
  std::optional<ExitStatus> status_;  // set once reaped
};

// Sends SIGKILL to every ChildProcess of this process not yet reaped, from
// any thread: how ipc_bench stops its consumers on SIGINT or SIGTERM (Windows:
// Ctrl-C; TerminateJobObject), and lets the owners unwind (and remove their
// resources) as after any death.
void kill_all_children() noexcept;

}  // namespace ipc

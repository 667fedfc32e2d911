#pragma once
// Helpers shared by the tests: running a command, and looking for what a
// run may have left behind.
#include <sys/types.h>

#include <chrono>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "ipc/registry.hpp"

// In a test of one transport: skips it, with the reason printed, where this
// system refuses the transport (ipc::Transport::unavailable); else readies
// its run-wide daemon as ipc_bench does before a run (ready_daemon).
#define IPC_SKIP_IF_UNAVAILABLE(transport)                                                   \
  if (const std::string ipc_why_ = ::ipc::unavailable_here(transport); !ipc_why_.empty())   \
    GTEST_SKIP() << (transport).name << " is not available here: " << ipc_why_;              \
  else                                                                                       \
    ::ipc::test::ready_daemon(transport)

namespace ipc::test {

// How many times slower this build runs the same work than a Release build:
// an AddressSanitizer tree (-O0, every access checked) takes 10-25x as long
// (one 16 MiB D-Bus round trip: 0.6-0.9 s in Release, 12.9 s there).
constexpr int build_slowdown() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return 25;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
  return 25;
#else
  return 1;
#endif
#else
  return 1;
#endif
}

// The wait for one reply of `payload` bytes past which a test may call a
// transport stuck, in this build, on a machine loaded with one busy process
// per CPU: 5 s, plus 1 s per MiB (a 16 MiB message copied through a daemon
// is not a 4-byte one), times build_slowdown().
constexpr std::chrono::milliseconds reply_timeout(std::size_t payload) {
  const auto per_mib = std::chrono::milliseconds(1000) * static_cast<long long>(payload / (1024 * 1024));
  return (std::chrono::milliseconds(5000) + per_mib) * build_slowdown();
}

struct CommandResult {
  int exit_code = -1;  // or 128 + signal
  std::string out, err;
};

// Runs `argv` (argv[0] a path) with stdout and stderr captured; kills it
// after `limit`.  `env` entries ("NAME=value") are added for this run only.
CommandResult run_command(const std::vector<std::string>& argv, std::chrono::seconds limit = std::chrono::seconds(120),
                          const std::vector<std::string>& env = {});

// Path of an executable built beside the test binary.
std::string built(const std::string& executable);

// /dev/shm entries created by process `pid` (named "ipc_bench-<pid>-...").
std::vector<std::string> shm_entries_of(pid_t pid);

// The processes whose parent is `pid`, from /proc/*/stat.
std::vector<pid_t> children_of(pid_t pid);

// The descriptors this process has open, and what one of them is.
std::set<int> open_descriptors();
std::string describe_descriptor(int fd);

// POSIX message queues created by process `pid` (named "/ipc_bench-<pid>-...").
// Read from /dev/mqueue; where no mqueue file system is mounted there, from
// one mounted in a private mount namespace of a child process (this needs
// CAP_SYS_ADMIN: without it, the queues cannot be seen and a note says so).
std::vector<std::string> mqueue_entries_of(pid_t pid);

// Entries of the temporary directory ($TMPDIR, else /tmp) named
// "ipc_bench-<pid>-...": private directories for socket files and FIFOs.
std::vector<std::string> temp_entries_of(pid_t pid);

// System V message queues (msqids) with key IPC_PRIVATE that process `pid`
// last sent to or received from (/proc/sysvipc/msg: lspid, lrpid).  A queue
// records no creator pid, so one whose last user was a consumer, or that was
// never used, cannot be told from a stranger's and is not found.
std::vector<std::string> sysv_queues_of(pid_t pid);

// Every named resource of the kinds above that process `pid` left behind,
// each as "<where>/<name>".
std::vector<std::string> leftovers_of(pid_t pid);

// True while `pid` exists, zombie included.
bool process_exists(pid_t pid);

// This process's pid (getpid, GetCurrentProcessId).
pid_t own_pid();
// Kills `pid` at once (SIGKILL; TerminateProcess) and says how the runner
// will describe its end (kKilledFate, part of ExitStatus::describe()).
void kill_process(pid_t pid);
extern const char* const kKilledFate;
// Stops every thread of `pid` without killing it (SIGSTOP; NtSuspendProcess).
bool freeze_process(pid_t pid);
// A program that exits with status 1 at once, whatever its arguments.
std::string exits_with_status_1();

// The lines of `text`, without their newlines.
std::vector<std::string> lines(const std::string& text);

// `text` with each wrapped line joined back: a newline and the indent of a
// continuation line (one that starts with a space) become one space.
std::string unwrapped(const std::string& text);

// What ipc_bench does before it times anything (Transport::prepare), for
// every payload a test of one transport uses: 1, 64 and 4096 bytes and the
// transport's maximum here.  A daemon that could not be readied leaves the
// transport's start to fail with the reason.
inline void ready_daemon(const Transport& transport) {
  if (transport.prepare == nullptr) return;
  const std::size_t payloads[] = {1, 64, 4096, max_payload_here(transport)};
  (void)transport.prepare(std::span<const std::size_t>(payloads), std::chrono::milliseconds(10000) * build_slowdown());
}

}  // namespace ipc::test

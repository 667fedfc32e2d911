#pragma once
// SideCounters: what one side of a round trip asked of the kernel, counted
// around a timed batch (never inside it): system calls, context switches
// (all, and the involuntary ones apart), CPU migrations, page faults and
// CPU time.
//
// Where the machine allows it (root, CAP_PERFMON, or kernel.perf_event_paranoid
// <= 1 for an unprivileged user) the counts come from perf_event_open(2): one
// group per thread, read in one read(2), of the software events task-clock,
// context-switches, cpu-migrations and page-faults, and the tracepoint
// raw_syscalls:sys_enter (its id from tracefs, /sys/kernel/tracing, which
// must be mounted).  Otherwise from what every user can read about their own
// processes: getrusage(2) RUSAGE_THREAD for the calling thread and
// /proc/<pid>/task/<tid>/{status,stat,sched,io} for another process (proc(5)).
// The involuntary switches always come from there: perf counts switches
// without telling the two kinds apart.
//
// The fallback has no count of system calls.  /proc's io file counts the
// read(2)/write(2) family only (read, readv, pread64, preadv and their write
// twins, sendfile): `rw_calls` is that count, offered only where `syscalls`
// is absent; it misses futex, poll and epoll, sendto/recvfrom and
// sendmsg/recvmsg, mq_*, msgsnd/msgrcv, io_uring_enter and every other call.
// The migrations fallback, /proc's sched file, exists only in kernels built
// with CONFIG_SCHED_DEBUG.
//
// A counter that cannot be had is absent (std::nullopt), never zero, and
// source() says why in one line.
//
// Which threads: calling_thread() counts the thread that creates it and no
// other (for the producer: the benchmark thread, not the watchdog, not a
// library's I/O thread such as ZeroMQ's).  process() counts every thread the
// process has when it is created; threads started later are not counted.
//
// Windows (windows/side_counters.cpp): none of these is read; every counter
// is absent and source() says so.
#include <sys/types.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ipc {

enum class SideEvent : std::size_t {
  syscalls,              // system calls entered
  rw_calls,              // read(2)/write(2)-family calls: only where syscalls is absent
  switches,              // context switches, voluntary and involuntary
  involuntary_switches,  // preempted while runnable
  migrations,            // moves to another CPU
  page_faults,           // minor and major
  cpu_ns,                // CPU time, ns (task-clock: exact, read on the CPU the task runs on)
};
inline constexpr std::size_t kSideEvents = 7;

// "syscalls", "rw_calls", ...: the JSON counters' suffix (producer_syscalls).
[[nodiscard]] std::string_view side_event_name(SideEvent event) noexcept;

// A reading: each event's running total, absent where it cannot be had.
struct SideCounts {
  std::array<std::optional<std::uint64_t>, kSideEvents> value;
  [[nodiscard]] const std::optional<std::uint64_t>& operator[](SideEvent e) const noexcept {
    return value[static_cast<std::size_t>(e)];
  }
  [[nodiscard]] std::optional<std::uint64_t>& operator[](SideEvent e) noexcept {
    return value[static_cast<std::size_t>(e)];
  }
};

class SideCounters {
 public:
  // The calling thread's counters.  Never throws: what cannot be opened is absent.
  [[nodiscard]] static SideCounters calling_thread() noexcept;
  // Every thread of process `pid` now.  Never throws: a process gone or
  // unreadable leaves every counter absent.
  [[nodiscard]] static SideCounters process(pid_t pid) noexcept;

  SideCounters(SideCounters&&) noexcept;
  SideCounters& operator=(SideCounters&&) noexcept;
  ~SideCounters();

  // The running totals now (since the counters were created for perf, since
  // the thread began for the fallback: subtract two readings).  Never throws;
  // a counter whose read fails is absent in this reading.
  [[nodiscard]] SideCounts read() const noexcept;

  // Where `event` is counted ("perf_event_open software event
  // context-switches"), or "absent: <why>".
  [[nodiscard]] const std::string& source(SideEvent event) const noexcept;

  struct State;

 private:
  explicit SideCounters(std::unique_ptr<State> state) noexcept;
  std::unique_ptr<State> state_;
};

// `after` minus `before` per event, absent where either is absent (or the
// count went backwards: a thread that ended between the readings).
[[nodiscard]] SideCounts difference(const SideCounts& before, const SideCounts& after) noexcept;

}  // namespace ipc

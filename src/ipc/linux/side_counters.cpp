// SideCounters on Linux (side_counters.hpp): perf_event_open(2) groups, one
// per thread, or getrusage(2) and proc(5) where perf is refused.
#include "ipc/side_counters.hpp"

#include <fcntl.h>
#include <linux/perf_event.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

#include "ipc/unique_fd.hpp"
#include "text_file.hpp"

namespace ipc {
namespace {

constexpr auto index(SideEvent e) { return static_cast<std::size_t>(e); }

// The events perf counts, in the order they join a thread's group: the
// group's leader first.
struct PerfEvent {
  SideEvent event;
  std::uint32_t type;
  std::uint64_t config;
  const char* name;
};

// One group per thread: one read(2) returns every member's count of the
// same instant (PERF_FORMAT_GROUP), so the counts of a reading agree.
struct ThreadGroup {
  std::vector<UniqueFd> fds;                       // fds[0] leads
  std::array<int, kSideEvents> slot;               // event -> position in the group's read, or -1
};

std::string errno_reason(int error) {
  if (error == EACCES || error == EPERM) {
    const auto paranoid = detail::read_int("/proc/sys/kernel/perf_event_paranoid");
    return fmt::format("perf_event_open refused ({}; kernel.perf_event_paranoid={}: needs CAP_PERFMON or a value <= 1)",
                       std::strerror(error), paranoid ? std::to_string(*paranoid) : "unknown");
  }
  if (error == ENOSYS || error == ENOENT || error == EOPNOTSUPP)
    return fmt::format("perf_event_open cannot count it in this kernel ({})", std::strerror(error));
  return fmt::format("perf_event_open failed ({})", std::strerror(error));
}

int open_event(const PerfEvent& e, pid_t tid, int group) {
  perf_event_attr attr{};
  attr.size = sizeof attr;
  attr.type = e.type;
  attr.config = e.config;
  attr.read_format = PERF_FORMAT_GROUP;
  // Counting only, never sampling: nothing is written into the thread's
  // path but the counters' own increments.
  return static_cast<int>(::syscall(SYS_perf_event_open, &attr, tid, -1, group, PERF_FLAG_FD_CLOEXEC));
}

// raw_syscalls:sys_enter's id, or why there is none.
std::optional<std::uint64_t> sys_enter_id(std::string& why) {
  for (const char* root : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"}) {
    if (const auto id = detail::read_int(fmt::format("{}/events/raw_syscalls/sys_enter/id", root)))
      return static_cast<std::uint64_t>(*id);
  }
  if (std::error_code ec; std::filesystem::exists("/sys/kernel/tracing/events", ec)) {
    why = "no raw_syscalls:sys_enter tracepoint in this kernel (CONFIG_FTRACE_SYSCALLS)";
  } else if (::access("/sys/kernel/tracing", F_OK) == 0 && ::geteuid() == 0) {
    why = "tracefs is not mounted (as root: mount -t tracefs nodev /sys/kernel/tracing)";
  } else {
    why = "the raw_syscalls:sys_enter tracepoint's id cannot be read from tracefs (/sys/kernel/tracing: "
          "not mounted, or not readable by this user)";
  }
  return std::nullopt;
}

std::vector<pid_t> threads_of(pid_t pid) {
  std::vector<pid_t> tids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(fmt::format("/proc/{}/task", pid), ec)) {
    const std::string name = entry.path().filename().string();
    pid_t tid = 0;
    if (std::from_chars(name.data(), name.data() + name.size(), tid).ec == std::errc{}) tids.push_back(tid);
  }
  return tids;
}

// "key:   123" in a proc(5) file of "key: value" lines.
std::optional<std::uint64_t> field(std::string_view text, std::string_view key) {
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    at = end + 1;
    if (!line.starts_with(key)) continue;
    line.remove_prefix(key.size());
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || detail::trim(line.substr(0, colon)) != "") continue;
    const std::string_view value = detail::trim(line.substr(colon + 1));
    std::uint64_t v = 0;
    if (std::from_chars(value.data(), value.data() + value.size(), v).ec == std::errc{}) return v;
  }
  return std::nullopt;
}

// Fields 10 (minflt) and 12 (majflt) of /proc/<pid>/task/<tid>/stat; the
// second field, the command, may hold spaces and parentheses, so counting
// starts after its last ')'.
std::optional<std::uint64_t> faults_from_stat(std::string_view text) {
  const auto close = text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view rest = text.substr(close + 1);
  std::uint64_t minflt = 0, majflt = 0;
  for (int field_no = 3; !rest.empty(); ++field_no) {
    rest = detail::trim(rest);
    const auto space = rest.find(' ');
    const std::string_view word = rest.substr(0, space);
    if (field_no == 10 && std::from_chars(word.data(), word.data() + word.size(), minflt).ec != std::errc{})
      return std::nullopt;
    if (field_no == 12) {
      if (std::from_chars(word.data(), word.data() + word.size(), majflt).ec != std::errc{}) return std::nullopt;
      return minflt + majflt;
    }
    if (space == std::string_view::npos) break;
    rest.remove_prefix(space);
  }
  return std::nullopt;
}

}  // namespace

struct SideCounters::State {
  bool self = false;
  pid_t pid = -1;
  std::vector<pid_t> tids;          // process(): the threads counted
  std::vector<ThreadGroup> groups;  // perf: one per thread
  std::array<bool, kSideEvents> perf{};    // counted by perf
  std::array<bool, kSideEvents> absent{};  // counted by nothing
  std::array<std::string, kSideEvents> source;

  // The fallback's files of one thread.
  [[nodiscard]] std::string proc(pid_t tid, const char* file) const {
    return self ? fmt::format("/proc/thread-self/{}", file) : fmt::format("/proc/{}/task/{}/{}", pid, tid, file);
  }
  [[nodiscard]] std::vector<pid_t> fallback_tids() const { return self ? std::vector<pid_t>{0} : tids; }
};

SideCounters::SideCounters(std::unique_ptr<State> state) noexcept : state_(std::move(state)) {}
SideCounters::SideCounters(SideCounters&&) noexcept = default;
SideCounters& SideCounters::operator=(SideCounters&&) noexcept = default;
SideCounters::~SideCounters() = default;

namespace {

// Opens the perf groups and says, per event, where its count comes from.
void open_counters(SideCounters::State& s) try {
  std::string no_tracepoint;
  const auto tracepoint = sys_enter_id(no_tracepoint);
  // The tracepoint leads where there is one: as a member of a group led by
  // a software event it counts nothing (seen on Linux 6.18), while software
  // members of a tracepoint's group count as they do alone.
  std::vector<PerfEvent> events;
  if (tracepoint) events.push_back({SideEvent::syscalls, PERF_TYPE_TRACEPOINT, *tracepoint, "raw_syscalls:sys_enter"});
  for (const PerfEvent& e : {PerfEvent{SideEvent::cpu_ns, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, "task-clock"},
                             PerfEvent{SideEvent::switches, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES,
                                       "context-switches"},
                             PerfEvent{SideEvent::migrations, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS,
                                       "cpu-migrations"},
                             PerfEvent{SideEvent::page_faults, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS,
                                       "page-faults"}})
    events.push_back(e);

  // What perf could not count, and why (from the first thread: every thread
  // of a process meets the same permission).
  std::array<std::string, kSideEvents> refused;
  if (!tracepoint) refused[index(SideEvent::syscalls)] = no_tracepoint;
  const std::vector<pid_t> targets = s.self ? std::vector<pid_t>{0} : s.tids;
  bool first = true;
  for (const pid_t tid : targets) {
    ThreadGroup group;
    group.slot.fill(-1);
    for (const PerfEvent& e : events) {
      if (!first && !s.perf[index(e.event)]) continue;  // refused for the first thread already
      const int leader = group.fds.empty() ? -1 : group.fds.front().get();
      const int fd = open_event(e, tid, leader);
      if (fd < 0) {
        if (first) refused[index(e.event)] = errno_reason(errno);
        continue;
      }
      group.slot[index(e.event)] = static_cast<int>(group.fds.size());
      group.fds.emplace_back(fd);
      if (first) s.perf[index(e.event)] = true;
    }
    first = false;
    if (!group.fds.empty()) s.groups.push_back(std::move(group));
  }
  if (s.groups.empty()) s.perf.fill(false);
  // A thread that could not have every event (it ended meanwhile) makes the
  // sum of that event a count of fewer threads: drop perf for it.
  for (std::size_t e = 0; e < kSideEvents; ++e) {
    if (!s.perf[e]) continue;
    for (const ThreadGroup& g : s.groups) {
      if (g.slot[e] < 0) {
        s.perf[e] = false;
        refused[e] = "a thread of the process could not be counted";
      }
    }
    if (s.groups.size() != targets.size()) s.perf[e] = false;
  }

  std::array<std::string_view, kSideEvents> perf_name{};
  for (const PerfEvent& e : events) perf_name[index(e.event)] = e.name;
  const auto perf_source = [&perf_name](SideEvent e) {
    return fmt::format("perf_event_open {} {}", e == SideEvent::syscalls ? "tracepoint" : "software event",
                       perf_name[index(e)]);
  };
  const bool has_sched = detail::read_text(s.proc(s.self ? 0 : s.tids.empty() ? s.pid : s.tids.front(), "sched"))
                             .has_value();
  for (std::size_t i = 0; i < kSideEvents; ++i) {
    const auto e = static_cast<SideEvent>(i);
    if (s.perf[i]) {
      s.source[i] = perf_source(e);
      continue;
    }
    const std::string& why = refused[i];
    // What every user can read: getrusage for the calling thread, proc(5) for another process.
    static constexpr std::array<std::pair<const char*, const char*>, kSideEvents> kReadable{{
        {},
        {},
        {"getrusage(RUSAGE_THREAD) ru_nvcsw + ru_nivcsw",
         "/proc/<pid>/task/<tid>/status voluntary_ctxt_switches + nonvoluntary_ctxt_switches"},
        {"getrusage(RUSAGE_THREAD) ru_nivcsw", "/proc/<pid>/task/<tid>/status nonvoluntary_ctxt_switches"},
        {},
        {"getrusage(RUSAGE_THREAD) ru_minflt + ru_majflt", "/proc/<pid>/task/<tid>/stat minflt + majflt"},
        {},
    }};
    if (kReadable[i].first) {
      s.source[i] = s.self ? kReadable[i].first : kReadable[i].second;
      continue;
    }
    switch (e) {
      case SideEvent::syscalls:
        s.source[i] = fmt::format("absent: {} (rw_calls counts the read/write family instead)", why);
        break;
      case SideEvent::rw_calls:
        s.source[i] = s.perf[index(SideEvent::syscalls)]
                          ? "absent: syscalls counts every system call"
                          : fmt::format("{}io syscr + syscw: the read(2)/write(2) family only; misses futex, poll, "
                                        "sendto/recvfrom, sendmsg/recvmsg, mq_*, msgsnd/msgrcv, io_uring_enter",
                                        s.self ? "/proc/thread-self/" : "/proc/<pid>/task/<tid>/");
        break;
      case SideEvent::migrations:
        s.source[i] = has_sched ? fmt::format("{}sched se.nr_migrations",
                                              s.self ? "/proc/thread-self/" : "/proc/<pid>/task/<tid>/")
                                : fmt::format("absent: {}, and no /proc sched file (CONFIG_SCHED_DEBUG)", why);
        break;
      case SideEvent::switches:
      case SideEvent::involuntary_switches:
      case SideEvent::page_faults:
        break;  // kReadable
      case SideEvent::cpu_ns:
        s.source[i] = s.self ? "clock_gettime(CLOCK_THREAD_CPUTIME_ID)"
                             : fmt::format("absent: {} (another process's CPU clock advances in scheduler ticks)", why);
        break;
    }
  }
  for (std::size_t i = 0; i < kSideEvents; ++i) s.absent[i] = s.source[i].starts_with("absent");
} catch (...) {
  // Out of memory while describing: counters absent, said plainly.
  s.groups.clear();
  s.perf.fill(false);
  for (std::string& source : s.source) source = "absent: could not be set up";
  s.absent.fill(true);
}

}  // namespace

SideCounters SideCounters::calling_thread() noexcept {
  auto s = std::make_unique<State>();
  s->self = true;
  open_counters(*s);
  return SideCounters(std::move(s));
}

SideCounters SideCounters::process(pid_t pid) noexcept {
  auto s = std::make_unique<State>();
  s->pid = pid;
  s->tids = threads_of(pid);
  if (s->tids.empty()) {
    for (std::string& source : s->source) source = fmt::format("absent: no readable process {}", pid);
    s->absent.fill(true);
    return SideCounters(std::move(s));
  }
  open_counters(*s);
  return SideCounters(std::move(s));
}

const std::string& SideCounters::source(SideEvent event) const noexcept { return state_->source[index(event)]; }

SideCounts SideCounters::read() const noexcept {
  const State& s = *state_;
  SideCounts counts;
  if (!s.self && s.tids.empty()) return counts;  // no such process
  // perf: each group in one read(2), summed over the threads.
  std::array<std::uint64_t, 1 + kSideEvents> buf{};  // nr, then one value per member
  std::array<std::uint64_t, kSideEvents> perf_sum{};
  bool perf_ok = !s.groups.empty();
  for (const ThreadGroup& g : s.groups) {
    const ssize_t n = ::read(g.fds.front().get(), buf.data(), sizeof(std::uint64_t) * (1 + g.fds.size()));
    if (n != static_cast<ssize_t>(sizeof(std::uint64_t) * (1 + g.fds.size())) || buf[0] != g.fds.size()) {
      perf_ok = false;
      break;
    }
    for (std::size_t e = 0; e < kSideEvents; ++e)
      if (g.slot[e] >= 0) perf_sum[e] += buf[1 + static_cast<std::size_t>(g.slot[e])];
  }
  for (std::size_t e = 0; e < kSideEvents; ++e)
    if (s.perf[e] && perf_ok) counts.value[e] = perf_sum[e];

  const auto wanted = [&](SideEvent e) { return !s.perf[index(e)] && !s.absent[index(e)]; };
  if (s.self) {
    rusage usage{};
    if (::getrusage(RUSAGE_THREAD, &usage) == 0) {
      const auto u = [](long v) { return static_cast<std::uint64_t>(v); };
      counts[SideEvent::involuntary_switches] = u(usage.ru_nivcsw);
      if (wanted(SideEvent::switches)) counts[SideEvent::switches] = u(usage.ru_nvcsw) + u(usage.ru_nivcsw);
      if (wanted(SideEvent::page_faults)) counts[SideEvent::page_faults] = u(usage.ru_minflt) + u(usage.ru_majflt);
    }
    if (wanted(SideEvent::cpu_ns)) {
      timespec ts{};
      if (::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
        counts[SideEvent::cpu_ns] =
            static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
    }
  }
  // The proc(5) files, summed over the threads; a thread whose file cannot
  // be read makes that event absent in this reading.
  try {
    const auto sum = [&](SideEvent e, const char* file, auto&& parse) {
      std::uint64_t total = 0;
      for (const pid_t tid : s.fallback_tids()) {
        const auto text = detail::read_text(s.proc(tid, file));
        const auto v = text ? parse(*text) : std::nullopt;
        if (!v) return;
        total += *v;
      }
      counts[e] = total;
    };
    if (!s.self) {
      sum(SideEvent::involuntary_switches, "status",
          [](std::string_view t) { return field(t, "nonvoluntary_ctxt_switches"); });
      if (wanted(SideEvent::switches))
        sum(SideEvent::switches, "status", [](std::string_view t) -> std::optional<std::uint64_t> {
          const auto v = field(t, "voluntary_ctxt_switches"), n = field(t, "nonvoluntary_ctxt_switches");
          if (!v || !n) return std::nullopt;
          return *v + *n;
        });
      if (wanted(SideEvent::page_faults)) sum(SideEvent::page_faults, "stat", faults_from_stat);
    }
    if (wanted(SideEvent::migrations))
      sum(SideEvent::migrations, "sched", [](std::string_view t) { return field(t, "se.nr_migrations"); });
    if (wanted(SideEvent::rw_calls))
      sum(SideEvent::rw_calls, "io", [](std::string_view t) -> std::optional<std::uint64_t> {
        const auto r = field(t, "syscr"), w = field(t, "syscw");
        if (!r || !w) return std::nullopt;
        return *r + *w;
      });
  } catch (...) {
    // Out of memory reading a proc file: those counts are absent.
  }
  return counts;
}

}  // namespace ipc

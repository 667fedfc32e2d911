// CPU times on Windows, from GetProcessTimes (see cpu_time.hpp).  Linux:
// linux/cpu_time.cpp.
#include "ipc/windows/win32.hpp"

#include "cpu_time.hpp"

namespace ipc::bench {
namespace {

std::uint64_t ns_of(const FILETIME& time) noexcept {
  const std::uint64_t hundreds = (std::uint64_t{time.dwHighDateTime} << 32) | time.dwLowDateTime;
  return hundreds * 100;  // FILETIME counts 100 ns intervals
}

// Kernel + user time of `process`, in ns.
std::optional<std::uint64_t> process_ns(HANDLE process) noexcept {
  FILETIME created{}, exited{}, kernel{}, user{};
  if (!::GetProcessTimes(process, &created, &exited, &kernel, &user)) return std::nullopt;
  return ns_of(kernel) + ns_of(user);
}

}  // namespace

CpuTimes read_cpu_times(pid_t consumer) noexcept {
  CpuTimes times;
  times.producer_ns = process_ns(::GetCurrentProcess()).value_or(0);
  // wine's GetProcessTimes gives the calling process's times for any
  // handle: a consumer figure would be the producer's again.
  if (consumer > 0 && !win32::under_wine()) {
    // OpenProcess (MSDN: "OpenProcess function"): the least access that
    // GetProcessTimes needs.  Opened per read: twice per batch.  The pid is
    // not reused meanwhile: ChildProcess holds a handle on the consumer.
    if (const HANDLE process = ::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, static_cast<DWORD>(consumer))) {
      times.consumer_ns = process_ns(process);
      ::CloseHandle(process);
    }
  }
  return times;
}

}  // namespace ipc::bench

#include "cpu_time.hpp"

#include <time.h>

namespace ipc::bench {
namespace {

std::optional<std::uint64_t> read_ns(clockid_t clock) noexcept {
  timespec ts{};
  if (::clock_gettime(clock, &ts) != 0) return std::nullopt;
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

}  // namespace

CpuTimes read_cpu_times(pid_t consumer) noexcept {
  CpuTimes times;
  times.producer_ns = read_ns(CLOCK_PROCESS_CPUTIME_ID).value_or(0);
  clockid_t clock;
  if (consumer > 0 && ::clock_getcpuclockid(consumer, &clock) == 0) times.consumer_ns = read_ns(clock);
  return times;
}

}  // namespace ipc::bench

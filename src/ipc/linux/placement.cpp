// The Linux half of placement.hpp: the affinity system calls.  Windows:
// windows/placement.cpp.
#include <fmt/format.h>
#include <sched.h>

#include "ipc/error.hpp"
#include "ipc/placement.hpp"

namespace ipc {

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) != 0) throw_errno("sched_getaffinity");
  std::vector<int> cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  return cpus;
}

struct ScopedPin::Previous {
  cpu_set_t set{};
};

ScopedPin::ScopedPin(std::optional<int> cpu) {
  if (!cpu) return;
  auto previous = std::make_unique<Previous>();
  if (::sched_getaffinity(0, sizeof previous->set, &previous->set) != 0) throw_errno("sched_getaffinity");
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(*cpu, &set);
  if (::sched_setaffinity(0, sizeof set, &set) != 0) throw_errno(fmt::format("pin to CPU {}", *cpu));
  previous_ = std::move(previous);
}

ScopedPin::~ScopedPin() {
  if (previous_) ::sched_setaffinity(0, sizeof previous_->set, &previous_->set);
}

}  // namespace ipc

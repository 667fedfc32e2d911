// The Windows half of placement.hpp: affinity masks of processor group 0
// (see placement.hpp).  Linux: linux/placement.cpp.
#include <fmt/format.h>

#include <climits>

#include "ipc/placement.hpp"
#include "ipc/windows/error.hpp"
#include "ipc/windows/win32.hpp"

namespace ipc {
namespace {

constexpr int kMaskBits = static_cast<int>(sizeof(DWORD_PTR) * CHAR_BIT);

}  // namespace

struct ScopedPin::Previous {
  DWORD_PTR mask;
};

// GetProcessAffinityMask (MSDN: "GetProcessAffinityMask function").
std::vector<int> allowed_cpus() {
  DWORD_PTR process = 0, system = 0;
  if (!::GetProcessAffinityMask(::GetCurrentProcess(), &process, &system)) throw_last_error("GetProcessAffinityMask");
  std::vector<int> cpus;
  for (int cpu = 0; cpu < kMaskBits; ++cpu)
    if ((process >> cpu) & 1u) cpus.push_back(cpu);
  return cpus;
}

// SetThreadAffinityMask (MSDN: "SetThreadAffinityMask function") returns the
// previous mask, 0 on failure: no separate read as on Linux.
ScopedPin::ScopedPin(std::optional<int> cpu) {
  if (!cpu) return;
  if (*cpu < 0 || *cpu >= kMaskBits)
    throw Error(fmt::format("pin to CPU {}: Windows affinity masks hold CPUs 0 to {}", *cpu, kMaskBits - 1));
  const DWORD_PTR previous = ::SetThreadAffinityMask(::GetCurrentThread(), DWORD_PTR{1} << *cpu);
  if (previous == 0) throw_last_error(fmt::format("pin to CPU {}", *cpu));
  previous_ = std::make_unique<Previous>(previous);
}

ScopedPin::~ScopedPin() {
  if (previous_) ::SetThreadAffinityMask(::GetCurrentThread(), previous_->mask);
}

}  // namespace ipc

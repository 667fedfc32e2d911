// The Windows half of noise.hpp.  Linux: linux/noise.cpp.
#include "ipc/noise.hpp"

namespace ipc {

// Windows reports no steal time to a guest (no /proc/stat, no counter of
// the time a hypervisor ran something else).
std::optional<std::uint64_t> steal_ns(int /*cpu*/) noexcept { return std::nullopt; }

}  // namespace ipc

#pragma once
// The fingerprint's entries that move a machine's floor (a cache-line or a
// wake-up round trip) without changing the CPU model: firmware, the
// preemption model, idle states, huge pages and the scheduler's settings.
// Private to ipc_core; fingerprint.hpp documents the keys.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace ipc::detail {

[[nodiscard]] std::vector<std::pair<std::string, std::string>> floor_fingerprint(const std::filesystem::path& root,
                                                                                 const std::string* cpuinfo);

}  // namespace ipc::detail

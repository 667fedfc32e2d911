#pragma once
// What the JSON context records about the machine a result came from.
#include <string>

namespace ipc::bench {

[[nodiscard]] std::string kernel_version();  // "Linux 6.1.0-13-amd64", or "unknown"
[[nodiscard]] std::string cpu_model();       // /proc/cpuinfo's "model name", or "unknown"

}  // namespace ipc::bench

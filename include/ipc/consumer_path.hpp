#pragma once
// Where consumer executables are found: $IPC_BENCH_CONSUMER_DIR when set,
// else the directory of the running executable (they are built side by side).
#include <string>
#include <string_view>

namespace ipc {

[[nodiscard]] std::string consumer_directory();
[[nodiscard]] std::string consumer_path(std::string_view executable);

}  // namespace ipc

#pragma once
// Where consumer executables are found: $IPC_BENCH_CONSUMER_DIR when set,
// else the directory of the running executable (they are built side by side).
#include <optional>
#include <string>
#include <string_view>

namespace ipc {

[[nodiscard]] std::string consumer_directory();
[[nodiscard]] std::string consumer_path(std::string_view executable);

// Where the shell would find `name`: itself when it holds a slash, else the
// first executable of that name in $PATH.  nullopt when there is none.
[[nodiscard]] std::optional<std::string> find_executable(std::string_view name);

}  // namespace ipc

#pragma once
// Where consumer executables are found: $IPC_BENCH_CONSUMER_DIR when set,
// else the directory of the running executable (they are built side by side).
// Linux: linux/consumer_path.cpp (/proc/self/exe); Windows:
// windows/consumer_path.cpp (GetModuleFileNameW).  Paths are UTF-8.
#include <optional>
#include <string>
#include <string_view>

namespace ipc {

[[nodiscard]] std::string consumer_directory();
// consumer_directory()/executable; on Windows with ".exe" appended when
// `executable` has no extension: consumer_path("pipe_consumer") is
// "...\pipe_consumer.exe".
[[nodiscard]] std::string consumer_path(std::string_view executable);

// Whether `name` is a path to find_executable, not a name to look for in
// PATH: it holds a '/' (on Windows also a '\').
[[nodiscard]] bool names_a_path(std::string_view name) noexcept;

// Where the shell would find `name`: itself when names_a_path(name), else
// the first executable of that name in $PATH.  nullopt when there is none.
// Windows: a path counts when it is an existing file that is not a
// directory; PATH is split at ';' and each directory is tried with `name`,
// then `name`.exe.
[[nodiscard]] std::optional<std::string> find_executable(std::string_view name);

}  // namespace ipc

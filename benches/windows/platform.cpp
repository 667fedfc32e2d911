// ipc_bench's per-platform details on Windows (see platform.hpp).  Linux:
// linux/platform.cpp.
#include "platform.hpp"

#include <io.h>

#include <cstdio>

#include "usage_error.hpp"

namespace ipc::bench {

bool stdout_is_terminal() { return ::_isatty(::_fileno(stdout)) != 0; }

std::string_view fallback_clock_name() noexcept { return "std::chrono::steady_clock (QueryPerformanceCounter)"; }

void refuse_quoting(std::string_view consumer_command) {
  // A backslash separates a Windows path's parts: only quotes are refused.
  if (consumer_command.find_first_of("'\"") != std::string_view::npos)
    throw UsageError("--consumer-cmd: quotes are not supported (the command is split at spaces); "
                     "wrap a command that needs them in a script");
}

// A killed run leaves nothing to sweep: a named kernel object dies with its
// last handle.
std::string remove_stale_names_note() { return {}; }

}  // namespace ipc::bench

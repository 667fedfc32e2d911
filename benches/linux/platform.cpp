// ipc_bench's per-platform details on Linux (see platform.hpp).  Windows:
// windows/platform.cpp.
#include "platform.hpp"

#include <unistd.h>

#include "ipc/stale_names.hpp"
#include "usage_error.hpp"

namespace ipc::bench {

bool stdout_is_terminal() { return ::isatty(STDOUT_FILENO) != 0; }

std::string_view fallback_clock_name() noexcept { return "clock_gettime(CLOCK_MONOTONIC)"; }

void refuse_quoting(std::string_view consumer_command) {
  if (consumer_command.find_first_of("'\"\\") != std::string_view::npos)
    throw UsageError("--consumer-cmd: quotes and backslashes are not supported (the command is split at spaces); "
                     "wrap a command that needs them in a script");
}

std::string remove_stale_names_note() { return stale_names_note(remove_stale_names()); }

}  // namespace ipc::bench

#pragma once
// The few things ipc_bench's main and option parser do differently per
// platform, besides the concerns with files of their own (caution,
// cpu_time, output_file, remote_option, stop_signals).  Linux:
// linux/platform.cpp; Windows: windows/platform.cpp.
#include <string>
#include <string_view>

namespace ipc::bench {

// Whether stdout is a terminal: the console's colours default to it.
[[nodiscard]] bool stdout_is_terminal();

// TickClock's clock without a usable TSC (ipc/tick_clock.hpp), as the JSON
// context's mean_timer names it.
[[nodiscard]] std::string_view fallback_clock_name() noexcept;

// --consumer-cmd is split at spaces, without quoting: a character that would
// quote is refused (Linux: quotes and backslashes; Windows: quotes only, a
// backslash separating a path's parts).  Throws UsageError.
void refuse_quoting(std::string_view consumer_command);

// What runs killed before they could clean up left behind (ipc/stale_names.hpp),
// removed before any name of this run exists: a note for stderr, or "".
// Windows: always "", since a named kernel object dies with its last handle.
[[nodiscard]] std::string remove_stale_names_note();

}  // namespace ipc::bench

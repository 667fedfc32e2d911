#pragma once
// Lines for a terminal: every line ipc_bench writes for people (the
// summary, --help, --list, cautions, notes) fits kConsoleColumns.
#include <cstddef>
#include <string>
#include <string_view>

namespace ipc::bench {

// The widest line written for a terminal: a 100-column terminal.
inline constexpr std::size_t kConsoleColumns = 100;

// Wraps `text` at `width` columns, continuation lines indented by `indent`
// spaces; breaks at spaces only, keeping those inside a line (aligned
// columns).  A word longer than `width` stays whole on its own line.
// Never throws but std::bad_alloc.
std::string wrap(std::string_view text, std::size_t indent, std::size_t width = kConsoleColumns);

}  // namespace ipc::bench

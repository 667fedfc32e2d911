#pragma once
// ipc_bench's lines on stderr, written in one place, and its lines on
// stdout, written without throwing.  A stderr that cannot
// be written (closed, full, its reader gone, its terminal hung up) loses the
// line and nothing else: fmt::print(stderr, ...) throws std::system_error
// there, which would end the run without its JSON.
#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

namespace ipc::bench {

// Writes `line` and a newline to stderr, whole, and flushes it.  A write that
// fails is dropped: there is nowhere left to report it.  Never throws.
void write_stderr_line(std::string_view line) noexcept;

// "ipc_bench: <message>" on one line of stderr (an error is one line, however
// long).  Never throws; a message that cannot be formatted (no memory) is lost.
template <typename... Args>
void tell(fmt::format_string<Args...> format, Args&&... args) noexcept {
  try {
    write_stderr_line("ipc_bench: " + fmt::format(format, std::forward<Args>(args)...));
  } catch (...) {
  }
}

// Writes to `out` (standard output: the summary, --list) with one fwrite.
// A failed write is left in ferror(out), for flush_stdout to report once in
// one line; fmt::print would throw std::system_error mid-table instead.
// Never throws.
template <typename... Args>
void print_out(std::FILE* out, fmt::format_string<Args...> format, Args&&... args) noexcept {
  try {
    const std::string text = fmt::format(format, std::forward<Args>(args)...);
    (void)std::fwrite(text.data(), 1, text.size(), out);
  } catch (...) {
  }
}

// "ipc_bench: caution: <cause>", wrapped at the console's width (a caution is
// read beside the summary, in a terminal).  Never throws.
void tell_caution(std::string_view cause) noexcept;

}  // namespace ipc::bench

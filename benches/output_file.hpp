#pragma once
// The files ipc_bench writes (--json, --benchmark_out): checked before the
// run without creating anything, written whole after it, and every write and
// the close checked, so a full disk or /dev/full is an error, not a file cut
// short.  Linux: linux/output_file.cpp (open, write, fsync); Windows:
// windows/output_file.cpp (CreateFileW, WriteFile, FlushFileBuffers; UTF-8
// paths; the reasons are Windows' own messages).
#include <optional>
#include <string>
#include <string_view>

namespace ipc::bench {

enum class ReportFormat { console, json, csv };

struct OutputFile {
  std::string path;
  ReportFormat format = ReportFormat::json;
};

// Throws UsageError("cannot write <option> file '<path>': <reason>") when
// `path` could not be written: a missing or read-only directory, a
// directory in its place, no permission.  Creates nothing.
void check_writable(const std::string& path, std::string_view option);

// Writes `text` to `path` (created or truncated) and syncs it.  Returns
// the error, in one line naming the file, or nullopt; a regular file left
// incomplete is removed.
[[nodiscard]] std::optional<std::string> write_output(const std::string& path, std::string_view text);

// Flushes standard output.  Returns the error in one line, or nullopt.
[[nodiscard]] std::optional<std::string> flush_stdout();

// Why standard output can take no more ("Broken pipe", strerror's words):
// an earlier write or flush failed (a full disk,
// a closed descriptor), or, for a pipe or socket, its reader has gone (`|
// head`); nullopt while it can.  One system call (poll; Windows:
// PeekNamedPipe): for between benchmarks, never inside one.
[[nodiscard]] std::optional<std::string> stdout_gone();

// The platform's half of stdout_gone: true when standard output is a pipe
// or socket whose reading end is closed.
[[nodiscard]] bool stdout_reader_gone() noexcept;

// Call first in main.  A standard descriptor that is closed (`>&-`) gets
// /dev/null (Linux), so that no file or socket opened later takes its
// number and receives ipc_bench's lines; a closed standard output counts as
// failed (EBADF) from the start.  Never throws.
void hold_standard_streams() noexcept;

// Records that standard output failed with `error` (errno), once.
void note_stdout_error(int error) noexcept;

}  // namespace ipc::bench

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

}  // namespace ipc::bench

#pragma once
// Small text files from sysfs and procfs, read without throwing: the topology
// reader and the machine fingerprint describe whatever a machine exposes, and
// a file that is missing or unreadable there is "unknown", not an error.
// Private to ipc_core.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ipc::detail {

// /proc/cpuinfo of a machine with a thousand CPUs is about 1.5 MiB; nothing
// read here is legitimately larger, and a bound keeps a strange file harmless.
inline constexpr std::size_t kMaxTextSize = 8 << 20;

// The whole file (at most kMaxTextSize bytes), or std::nullopt if it cannot
// be read.  Linux: linux/text_file.cpp; Windows: windows/text_file.cpp.
[[nodiscard]] std::optional<std::string> read_text(const std::filesystem::path& file);

// The first line without surrounding white space, or std::nullopt.
[[nodiscard]] std::optional<std::string> read_line(const std::filesystem::path& file);

// A whole decimal number >= 0 as the file's first line, or std::nullopt.
[[nodiscard]] std::optional<int> read_int(const std::filesystem::path& file);

[[nodiscard]] std::string_view trim(std::string_view text) noexcept;

}  // namespace ipc::detail

// consumer_path.hpp on Windows: the consumers are "<name>.exe" beside
// ipc_bench.exe.  Linux: linux/consumer_path.cpp.
#include <algorithm>
#include <filesystem>

#include "ipc/consumer_path.hpp"
#include "ipc/windows/win32.hpp"

namespace ipc {
namespace {

namespace fs = std::filesystem;

// An environment variable as UTF-8; empty when unset (GetEnvironmentVariableW,
// MSDN: "GetEnvironmentVariableW function": the C runtime's getenv would
// give the ANSI code page).
std::wstring environment(const wchar_t* name) {
  std::wstring value(256, L'\0');
  for (;;) {
    const DWORD n = ::GetEnvironmentVariableW(name, value.data(), static_cast<DWORD>(value.size()));
    if (n == 0) return {};
    if (n < value.size()) {
      value.resize(n);
      return value;
    }
    value.resize(n);  // n counts the terminating NUL when the buffer is too small
  }
}

// This executable (GetModuleFileNameW, MSDN: "GetModuleFileNameW function"),
// which truncates silently to the buffer: grown until the path fits.
std::optional<fs::path> self_path() {
  std::wstring path(MAX_PATH, L'\0');
  for (;;) {
    const DWORD n = ::GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size()));
    if (n == 0) return std::nullopt;
    if (n < path.size()) {
      path.resize(n);
      return fs::path(path);
    }
    if (path.size() >= 32768) return std::nullopt;  // the longest path Windows has
    path.resize(path.size() * 2);
  }
}

bool runnable(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

}  // namespace

std::string consumer_directory() {
  if (const std::wstring dir = environment(L"IPC_BENCH_CONSUMER_DIR"); !dir.empty()) return win32::narrow(dir);
  const auto self = self_path();
  return self ? win32::narrow(self->parent_path().wstring()) : std::string(".");
}

std::string consumer_path(std::string_view executable) {
  fs::path path = fs::path(win32::widen(consumer_directory())) / win32::widen(executable);
  if (!path.has_extension()) path += L".exe";
  return win32::narrow(path.wstring());
}

// A Windows path's parts are separated by either slash.
bool names_a_path(std::string_view name) noexcept { return name.find_first_of("/\\") != std::string_view::npos; }

std::optional<std::string> find_executable(std::string_view name) {
  if (name.empty()) return std::nullopt;
  const fs::path wide_name(win32::widen(name));
  if (names_a_path(name)) return runnable(wide_name) ? std::optional(std::string(name)) : std::nullopt;
  const std::wstring search = environment(L"PATH");
  for (std::size_t start = 0; start < search.size();) {
    const std::size_t end = std::min(search.find(L';', start), search.size());
    std::wstring_view dir = std::wstring_view(search).substr(start, end - start);
    start = end + 1;
    // PATH entries may be quoted ("C:\Program Files\x"); an empty one is no directory.
    if (dir.size() >= 2 && dir.front() == L'"' && dir.back() == L'"') dir = dir.substr(1, dir.size() - 2);
    if (dir.empty()) continue;
    for (const wchar_t* suffix : {L"", L".exe"}) {
      fs::path path = fs::path(dir) / wide_name;
      path += suffix;
      if (runnable(path)) return win32::narrow(path.wstring());
    }
  }
  return std::nullopt;
}

}  // namespace ipc

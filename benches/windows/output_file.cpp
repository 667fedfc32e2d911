// The output files on Windows (see output_file.hpp), with Win32 file calls:
// CreateFileW, WriteFile, FlushFileBuffers for fsync.  Paths are UTF-8, as
// everywhere in ipc_bench on Windows.  Linux: linux/output_file.cpp.
#include "ipc/windows/win32.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>

#include "ipc/windows/error.hpp"
#include "output_file.hpp"
#include "usage_error.hpp"

namespace ipc::bench {
namespace {

namespace fs = std::filesystem;

// libstdc++ reads a narrow string as the ANSI code page: UTF-8 explicitly.
fs::path utf8_path(const std::string& path) {
  return fs::path(std::u8string(reinterpret_cast<const char8_t*>(path.data()), path.size()));
}

constexpr DWORD kShareAll = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;

// Whether CreateFileW can open `path` with `access`: opened, then closed.
// The last error is kept for the caller when it cannot.
bool can_open(const fs::path& path, DWORD access, DWORD flags) {
  const HANDLE handle = ::CreateFileW(path.c_str(), access, kShareAll, nullptr, OPEN_EXISTING, flags, nullptr);
  if (handle == INVALID_HANDLE_VALUE) return false;
  ::CloseHandle(handle);
  return true;
}

}  // namespace

void check_writable(const std::string& path, std::string_view option) {
  const auto refuse = [&](std::string_view reason) {
    return UsageError(fmt::format("cannot write {} file '{}': {}", option, path, reason));
  };
  const fs::path file = utf8_path(path);
  if (const DWORD attributes = ::GetFileAttributesW(file.c_str()); attributes != INVALID_FILE_ATTRIBUTES) {
    if (attributes & FILE_ATTRIBUTE_DIRECTORY) throw refuse("is a directory");
    // OPEN_EXISTING, without truncating: an existing file is left as it is.
    if (!can_open(file, GENERIC_WRITE, FILE_ATTRIBUTE_NORMAL)) throw refuse(win32_message(::GetLastError()));
    return;
  }
  // ERROR_PATH_NOT_FOUND (a missing directory on the way) is refused here.
  if (const DWORD error = ::GetLastError(); error != ERROR_FILE_NOT_FOUND) throw refuse(win32_message(error));
  const fs::path parent = file.parent_path();
  const fs::path directory = parent.empty() ? fs::path(L".") : parent;
  const DWORD attributes = ::GetFileAttributesW(directory.c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES) throw refuse(win32_message(::GetLastError()));
  if (!(attributes & FILE_ATTRIBUTE_DIRECTORY)) throw refuse("Not a directory");
  // The counterpart of access(W_OK): a directory handle asking for
  // FILE_ADD_FILE is granted only where the ACL lets this user create a file
  // there, and creates nothing.  FILE_FLAG_BACKUP_SEMANTICS opens a directory.
  if (!can_open(directory, FILE_ADD_FILE, FILE_FLAG_BACKUP_SEMANTICS)) throw refuse(win32_message(::GetLastError()));
}

std::optional<std::string> write_output(const std::string& path, std::string_view text) {
  const auto failed = [&](DWORD error) { return fmt::format("cannot write '{}': {}", path, win32_message(error)); };
  const fs::path file = utf8_path(path);
  const HANDLE handle =
      ::CreateFileW(file.c_str(), GENERIC_WRITE, FILE_SHARE_READ, nullptr, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (handle == INVALID_HANDLE_VALUE) return failed(::GetLastError());
  // NUL and consoles are no disk files: neither flushed nor removed.
  const bool disk_file = ::GetFileType(handle) == FILE_TYPE_DISK;
  // A regular file cut short would pass for a result: removed.
  const auto failed_and_removed = [&](DWORD error) {
    ::CloseHandle(handle);
    if (disk_file) ::DeleteFileW(file.c_str());
    return failed(error);
  };
  while (!text.empty()) {
    const auto chunk = static_cast<DWORD>(std::min<std::size_t>(text.size(), 1u << 30));
    DWORD written = 0;
    if (!::WriteFile(handle, text.data(), chunk, &written, nullptr)) return failed_and_removed(::GetLastError());
    if (written == 0) return failed_and_removed(ERROR_DISK_FULL);
    text.remove_prefix(written);
  }
  // FlushFileBuffers, Windows' fsync (MSDN: "FlushFileBuffers function"): a
  // network share reports a failed write-back only here.
  if (disk_file && !::FlushFileBuffers(handle)) return failed_and_removed(::GetLastError());
  if (!::CloseHandle(handle)) return failed(::GetLastError());
  return std::nullopt;
}

void hold_standard_streams() noexcept {
  // No descriptor numbers to reuse here: a missing handle stays missing.
  const HANDLE out = ::GetStdHandle(STD_OUTPUT_HANDLE);
  if (out == nullptr || out == INVALID_HANDLE_VALUE) note_stdout_error(EBADF);
}

bool stdout_reader_gone() noexcept {
  // A pipe whose reader has closed it fails PeekNamedPipe with
  // ERROR_BROKEN_PIPE ("PeekNamedPipe function"); a file or a console
  // shows its failures when written.
  HANDLE out = ::GetStdHandle(STD_OUTPUT_HANDLE);
  if (out == nullptr || out == INVALID_HANDLE_VALUE || ::GetFileType(out) != FILE_TYPE_PIPE) return false;
  return !::PeekNamedPipe(out, nullptr, 0, nullptr, nullptr, nullptr) && ::GetLastError() == ERROR_BROKEN_PIPE;
}

}  // namespace ipc::bench

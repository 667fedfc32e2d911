// read_text on Windows (text_file.hpp), for the sysfs parser run on a
// synthetic tree.  Linux: linux/text_file.cpp.
#include "../text_file.hpp"
#include "ipc/windows/win32.hpp"

namespace ipc::detail {

// CreateFileW and ReadFile rather than std::ifstream, as on Linux: a
// directory must read as "unknown" (CreateFileW without
// FILE_FLAG_BACKUP_SEMANTICS refuses to open one), not as an empty file.
std::optional<std::string> read_text(const std::filesystem::path& file) {
  const HANDLE handle = ::CreateFileW(file.c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                      nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (handle == INVALID_HANDLE_VALUE) return std::nullopt;
  std::string text;
  char buf[4096];
  bool ok = true;
  for (;;) {
    DWORD n = 0;
    if (!::ReadFile(handle, buf, sizeof buf, &n, nullptr) || text.size() + n > kMaxTextSize) {
      ok = false;
      break;
    }
    if (n == 0) break;
    text.append(buf, n);
  }
  ::CloseHandle(handle);
  if (!ok) return std::nullopt;
  return text;
}

}  // namespace ipc::detail

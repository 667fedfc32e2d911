// read_text with POSIX calls (text_file.hpp).  Windows: windows/text_file.cpp.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "text_file.hpp"

namespace ipc::detail {

std::optional<std::string> read_text(const std::filesystem::path& file) {
  // POSIX calls rather than std::ifstream: a directory or an EIO from a sysfs
  // attribute must read as "unknown", not as an empty file.
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || text.size() + static_cast<std::size_t>(n) > kMaxTextSize) {
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return text;
}

}  // namespace ipc::detail

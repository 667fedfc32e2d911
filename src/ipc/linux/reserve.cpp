#include "ipc/reserve.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ipc/error.hpp"

namespace ipc {

void reserve(int fd, std::size_t size, const std::string& what, const std::string& where, const std::string& remedy) {
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) throw_errno("ftruncate " + what);
  // posix_fallocate returns the error instead of setting errno.
  const int error = ::posix_fallocate(fd, 0, static_cast<off_t>(size));
  if (error == 0) return;
  if (error != ENOSPC && error != EDQUOT) throw Error(fmt::format("fallocate {}: {}", what, std::strerror(error)));
  struct statvfs fs {};
  const auto free_bytes =
      ::fstatvfs(fd, &fs) == 0 ? static_cast<unsigned long long>(fs.f_bavail) * fs.f_frsize : 0ULL;
  throw Error(fmt::format("{} has {} bytes free, {} needed: {}", where, free_bytes, size, remedy));
}

}  // namespace ipc

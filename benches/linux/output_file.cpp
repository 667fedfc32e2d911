#include "output_file.hpp"

#include <fcntl.h>
#include <poll.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "ipc/unique_fd.hpp"
#include "usage_error.hpp"

namespace ipc::bench {

void check_writable(const std::string& path, std::string_view option) {
  const auto refuse = [&](std::string_view reason) {
    return UsageError(fmt::format("cannot write {} file '{}': {}", option, path, reason));
  };
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw refuse("is a directory");
    // Opened without O_CREAT or O_TRUNC: an existing file is left as it is.
    const UniqueFd fd(::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
    if (!fd) throw refuse(std::strerror(errno));
    return;
  }
  if (errno != ENOENT) throw refuse(std::strerror(errno));
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  const std::filesystem::path directory = parent.empty() ? std::filesystem::path(".") : parent;
  if (::stat(directory.c_str(), &st) != 0) throw refuse(std::strerror(errno));
  if (!S_ISDIR(st.st_mode)) throw refuse(std::strerror(ENOTDIR));
  if (::access(directory.c_str(), W_OK | X_OK) != 0) throw refuse(std::strerror(errno));
}

std::optional<std::string> write_output(const std::string& path, std::string_view text) {
  const auto failed = [&](int error) { return fmt::format("cannot write '{}': {}", path, std::strerror(error)); };
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) return failed(errno);
  // A regular file cut short would pass for a result: removed.
  const auto failed_and_removed = [&](int error) {
    struct stat st {};
    if (::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode)) ::unlink(path.c_str());
    return failed(error);
  };
  while (!text.empty()) {
    const ssize_t n = ::write(fd.get(), text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return failed_and_removed(n < 0 ? errno : ENOSPC);
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  // NFS and some FUSE file systems report a failed write-back only here.
  if (::fsync(fd.get()) != 0 && errno != EINVAL && errno != EROFS) return failed_and_removed(errno);
  if (::close(fd.release()) != 0) return failed(errno);
  return std::nullopt;
}

void hold_standard_streams() noexcept {
  for (const int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO}) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    const int null = ::open("/dev/null", O_RDWR);
    if (null >= 0 && null != fd) {
      ::dup2(null, fd);
      ::close(null);
    }
    if (fd == STDOUT_FILENO) note_stdout_error(EBADF);
  }
}

bool stdout_reader_gone() noexcept {
  // No events asked: poll reports POLLERR for a pipe whose reader closed
  // it and POLLHUP for a socket shut down, and nothing for a file or a
  // terminal (their failures show when written).
  pollfd p{STDOUT_FILENO, 0, 0};
  return ::poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP)) != 0;
}

}  // namespace ipc::bench

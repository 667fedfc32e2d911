#include "ipc/io.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>

#include "ipc/error.hpp"

namespace ipc {

ReadResult read_exact(int fd, std::span<std::byte> buf) {
  std::size_t done = 0;
  while (done < buf.size()) {
    const ssize_t r = ::read(fd, buf.data() + done, buf.size() - done);
    if (r > 0) {
      done += static_cast<std::size_t>(r);
    } else if (r == 0) {
      if (done == 0) return ReadResult::eof;
      throw Error(fmt::format("short message: peer closed after {} of {} bytes", done, buf.size()));
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      throw TimedOut(false);
    } else if (errno != EINTR) {
      throw_errno("read");
    }
  }
  return ReadResult::complete;
}

void write_all(int fd, std::span<const std::byte> buf) {
  std::size_t done = 0;
  while (done < buf.size()) {
    const ssize_t r = ::write(fd, buf.data() + done, buf.size() - done);
    if (r >= 0) {
      done += static_cast<std::size_t>(r);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      throw TimedOut(true);
    } else if (errno != EINTR) {
      throw_errno("write");
    }
  }
}

}  // namespace ipc

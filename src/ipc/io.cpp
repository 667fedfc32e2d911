#include "ipc/io.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <vector>

#include "ipc/error.hpp"

namespace ipc::io_detail {

ReadResult finish_read(int fd, std::span<std::byte> buf, ssize_t r) {
  std::size_t done = 0;
  for (;;) {
    if (r > 0) {
      done += static_cast<std::size_t>(r);
      if (done == buf.size()) return ReadResult::complete;
    } else if (r == 0) {
      if (done == 0 && !buf.empty()) return ReadResult::eof;
      if (buf.empty()) return ReadResult::complete;
      throw Error(fmt::format("short message: peer closed after {} of {} bytes", done, buf.size()));
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      throw TimedOut(false);
    } else if (errno != EINTR) {
      throw_errno("read");
    }
    r = sys::read(fd, buf.data() + done, buf.size() - done);
  }
}

void finish_write(int fd, std::span<const std::byte> buf, ssize_t r) {
  std::size_t done = 0;
  for (;;) {
    if (r >= 0) {
      done += static_cast<std::size_t>(r);
      if (done >= buf.size()) return;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      throw TimedOut(true);
    } else if (errno != EINTR) {
      throw_errno("write");
    }
    r = sys::write(fd, buf.data() + done, buf.size() - done);
  }
}

}  // namespace ipc::io_detail

namespace ipc {

void echo_stream(int in, int out, std::size_t payload) {
  std::vector<std::byte> buf(payload);
  while (read_exact(in, buf) == ReadResult::complete) write_all(out, buf);
}

}  // namespace ipc

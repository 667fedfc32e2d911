#include "ipc/io.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <vector>

#include "ipc/consumer.hpp"
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

AnonymousPipe::AnonymousPipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe2");
  read_end.reset(fds[0]);
  write_end.reset(fds[1]);
}

NativeHandle standard_input() noexcept { return STDIN_FILENO; }
NativeHandle standard_output() noexcept { return STDOUT_FILENO; }

// Consumer::await_readable on Linux (Windows: windows/io.cpp): poll() on the
// descriptor and the child's pidfd together.
void Consumer::await_readable(NativeHandle fd, std::string_view waiting_for) {
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  pollfd fds[2] = {{fd, POLLIN, 0}, {child_.exit_handle(), POLLIN, 0}};
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    const int r = ::poll(fds, 2, static_cast<int>(std::max<std::chrono::milliseconds::rep>(left.count(), 0)));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw_errno("poll");
    if (fds[0].revents != 0) return;
    if (fds[1].revents != 0 || r == 0) break;
  }
  fail(fmt::format("while waiting for {}", waiting_for), fds[1].revents == 0);
}

}  // namespace ipc

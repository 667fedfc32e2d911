#include "ipc/unique_fd.hpp"

#include <unistd.h>

namespace ipc {

void UniqueFd::reset(int fd) noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

}  // namespace ipc

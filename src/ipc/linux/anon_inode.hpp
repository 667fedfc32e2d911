#pragma once
// The check a consumer makes of a descriptor it was told it inherited (an
// eventfd, an io_uring): one started without it, or with another file
// there, fails with a line that says so, not with a puzzling failed call.
#include <fmt/format.h>
#include <unistd.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "ipc/error.hpp"

namespace ipc {

// Throws ipc::Error unless `fd` is open on the anonymous inode `kind`
// ("eventfd", "io_uring"), as /proc/self/fd shows it; `option` names the
// descriptor's command-line option in the message.
inline void expect_anon_inode(int fd, std::string_view option, std::string_view kind) {
  char target[64] = {};
  const std::string link = fmt::format("/proc/self/fd/{}", fd);
  const ssize_t length = ::readlink(link.c_str(), target, sizeof target - 1);
  if (length < 0) throw Error(fmt::format("{} {}: descriptor is not open", option, fd));
  const std::string_view found(target, static_cast<std::size_t>(length));
  if (found != fmt::format("anon_inode:[{}]", kind))
    throw Error(fmt::format("{} {}: not an {} but {}", option, fd, kind, found));
}

}  // namespace ipc

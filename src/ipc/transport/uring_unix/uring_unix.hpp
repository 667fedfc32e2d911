#pragma once
// uring_unix: a Unix stream socket pair driven through io_uring; each side
// submits its send and its next receive in one io_uring_enter.
#include <cstddef>
#include <memory>
#include <string>

#include "ipc/runner.hpp"

namespace ipc::transport::uring_unix {

// The descriptor number the consumer finds its end of the socket pair under.
inline constexpr int kSocketFd = 3;

std::unique_ptr<Runner> start(const RunnerOptions& options);
// Why io_uring cannot run here (one line), or empty.  Never throws.
std::string unavailable();
// The consumer side: sends READY on `socket_fd`, then echoes `payload`-byte
// messages through a ring of its own until end of file.  Throws ipc::Error.
int serve(int socket_fd, std::size_t payload);

}  // namespace ipc::transport::uring_unix

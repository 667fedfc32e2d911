#pragma once
// ipc::Error: every failure the library reports, with a message meant for the user.
#include <stdexcept>
#include <string>

namespace ipc {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws Error("<what>: <strerror(errno)>"), for a failed system call.
[[noreturn]] void throw_errno(const std::string& what);

}  // namespace ipc

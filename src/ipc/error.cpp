#include "ipc/error.hpp"

#include <cerrno>
#include <cstring>

namespace ipc {

void throw_errno(const std::string& what) {
  const int saved = errno;
  throw Error(what + ": " + std::strerror(saved));
}

}  // namespace ipc

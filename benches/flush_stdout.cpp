// flush_stdout (output_file.hpp): the same on both platforms.
#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "output_file.hpp"

namespace ipc::bench {

std::optional<std::string> flush_stdout() {
  std::cout.flush();  // synchronised with stdio: its errors show in ferror(stdout)
  if (std::fflush(stdout) != 0 || std::ferror(stdout))
    return fmt::format("cannot write standard output: {}", std::strerror(errno != 0 ? errno : EIO));
  return std::nullopt;
}

}  // namespace ipc::bench

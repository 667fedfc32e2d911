// flush_stdout (output_file.hpp): the same on both platforms.
#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "output_file.hpp"

namespace ipc::bench {

namespace {

// The first error that standard output gave, for every later question.
int stdout_error = 0;

std::string stdout_message(int error) { return fmt::format("cannot write standard output: {}", std::strerror(error)); }

}  // namespace

void note_stdout_error(int error) noexcept {
  if (stdout_error == 0) stdout_error = error;
}

std::optional<std::string> flush_stdout() {
  // errno as the failed write left it, when that write was earlier.
  std::cout.flush();  // synchronised with stdio: its errors show in ferror(stdout)
  if (std::fflush(stdout) != 0 || std::ferror(stdout) || std::cout.bad()) {
    if (stdout_error == 0) stdout_error = errno != 0 ? errno : EIO;
    return stdout_message(stdout_error);
  }
  return std::nullopt;
}

std::optional<std::string> stdout_gone() {
  if (stdout_error == 0 && (std::ferror(stdout) || std::cout.bad())) stdout_error = EIO;
  if (stdout_error == 0 && stdout_reader_gone()) stdout_error = EPIPE;
  if (stdout_error != 0) return std::string(std::strerror(stdout_error));
  return std::nullopt;
}

}  // namespace ipc::bench

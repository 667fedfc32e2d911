#include "tell.hpp"

#include <cstdio>
#include <string>

#include "wrap.hpp"

namespace ipc::bench {

void write_stderr_line(std::string_view line) noexcept {
  // One fwrite of the whole line: stderr is unbuffered, and a line written
  // in pieces can be cut by a consumer's own stderr writes.
  try {
    std::string whole(line);
    whole += '\n';
    (void)std::fwrite(whole.data(), 1, whole.size(), stderr);
  } catch (...) {
  }
  std::clearerr(stderr);  // a failed write must not mark the next one failed
}

void tell_caution(std::string_view cause) noexcept {
  try {
    write_stderr_line(wrap("ipc_bench: caution: " + std::string(cause), 2));
  } catch (...) {
  }
}

}  // namespace ipc::bench

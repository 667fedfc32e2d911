// The Linux half of floor_wait.hpp: futex(2).  Windows: windows/floor.cpp.
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include "floor_wait.hpp"
#include "ipc/error.hpp"

namespace ipc::detail {
namespace {

// FUTEX_PRIVATE_FLAG: both threads are in this process, so the kernel keys
// the futex on (mm, address) and skips the lookup of a shared mapping.
long futex(std::uint32_t& word, int op, std::uint32_t value, const timespec* timeout) noexcept {
  return ::syscall(SYS_futex, &word, op | FUTEX_PRIVATE_FLAG, value, timeout, nullptr, 0);
}

}  // namespace

bool wait_while_equal(std::uint32_t& word, std::uint32_t expected, std::chrono::milliseconds timeout) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  const timespec relative{static_cast<time_t>(seconds.count()),
                          static_cast<long>(std::chrono::nanoseconds(timeout - seconds).count())};
  if (futex(word, FUTEX_WAIT, expected, &relative) == 0) return true;
  // EAGAIN: the word no longer held `expected` when the kernel looked.
  if (errno == EAGAIN || errno == EINTR) return true;
  if (errno == ETIMEDOUT) return false;
  throw_errno("futex FUTEX_WAIT");
}

void wake_one(std::uint32_t& word) {
  if (futex(word, FUTEX_WAKE, 1, nullptr) < 0) throw_errno("futex FUTEX_WAKE");
}

}  // namespace ipc::detail

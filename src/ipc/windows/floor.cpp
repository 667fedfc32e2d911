// The Windows half of floor_wait.hpp: WaitOnAddress and WakeByAddressSingle
// (MSDN: "WaitOnAddress function"; Synchronization.lib).  Linux:
// linux/floor.cpp.
#include "floor_wait.hpp"
#include "ipc/windows/error.hpp"
#include "ipc/windows/win32.hpp"

namespace ipc::detail {

bool wait_while_equal(std::uint32_t& word, std::uint32_t expected, std::chrono::milliseconds timeout) {
  // WaitOnAddress compares against a copy of the value, not the value itself.
  std::uint32_t compare = expected;
  if (::WaitOnAddress(&word, &compare, sizeof compare, static_cast<DWORD>(timeout.count()))) return true;
  if (::GetLastError() == ERROR_TIMEOUT) return false;
  throw_last_error("WaitOnAddress");
}

// WakeByAddressSingle returns nothing and cannot fail.
void wake_one(std::uint32_t& word) { ::WakeByAddressSingle(&word); }

}  // namespace ipc::detail

#pragma once
// The wake-up floor's two system calls (floor.hpp), one word each way.
// Linux: linux/floor.cpp (futex(2)); Windows: windows/floor.cpp
// (WaitOnAddress, WakeByAddressSingle).  Private to ipc_core.
#include <chrono>
#include <cstdint>

namespace ipc::detail {

// Sleeps while `word` holds `expected`, for at most `timeout`.  Returns true
// when the word may have changed (it did, it was woken, or a signal
// interrupted the sleep: the caller checks the word again), false when the
// timeout passed.  Throws ipc::Error if the system call fails otherwise.
[[nodiscard]] bool wait_while_equal(std::uint32_t& word, std::uint32_t expected, std::chrono::milliseconds timeout);

// Wakes one thread sleeping on `word`, if any.  Throws ipc::Error if the
// system call fails.
void wake_one(std::uint32_t& word);

}  // namespace ipc::detail

#pragma once
// UniqueHandle: sole owner of a Win32 HANDLE, closed (CloseHandle) on
// destruction.  Held as void* so that this header does not pull in
// <windows.h>; both NULL and INVALID_HANDLE_VALUE mean "none", since Win32
// functions return one or the other on failure (CreateFileMapping: NULL,
// CreateFile: INVALID_HANDLE_VALUE).
#include <utility>

namespace ipc {

class UniqueHandle {
 public:
  UniqueHandle() noexcept = default;
  explicit UniqueHandle(void* handle) noexcept : handle_(handle) {}
  UniqueHandle(UniqueHandle&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  UniqueHandle& operator=(UniqueHandle&& other) noexcept {
    if (this != &other) reset(std::exchange(other.handle_, nullptr));
    return *this;
  }
  UniqueHandle(const UniqueHandle&) = delete;
  UniqueHandle& operator=(const UniqueHandle&) = delete;
  ~UniqueHandle() { reset(); }

  [[nodiscard]] void* get() const noexcept { return handle_; }
  [[nodiscard]] explicit operator bool() const noexcept {
    return handle_ != nullptr && handle_ != reinterpret_cast<void*>(-1);  // INVALID_HANDLE_VALUE
  }
  void reset(void* handle = nullptr) noexcept;
  [[nodiscard]] void* release() noexcept { return std::exchange(handle_, nullptr); }

 private:
  void* handle_ = nullptr;
};

}  // namespace ipc

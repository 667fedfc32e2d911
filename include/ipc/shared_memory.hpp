#pragma once
// SharedMemory: a mapped POSIX shared-memory object (Windows: a named file
// mapping backed by the paging file, windows/shared_memory.cpp).
//
// create() picks a name nobody can guess ("/ipc_bench-<pid>-<64 random
// bits>"; Windows "Local\\ipc_bench-<pid>-<64 random bits>"), creates it
// exclusively (O_EXCL with mode 0600; Windows: ERROR_ALREADY_EXISTS refused,
// the default security descriptor of the creator) and maps it; the creator
// unlinks it as soon as the peer has it mapped, and at the latest on
// destruction, so no /dev/shm entry outlives a run.  On Windows a name lives
// while a handle on the mapping does: unlink() closes the creator's handle
// (the view stays valid) and open() closes the opener's once mapped, so the
// name is gone once both have it mapped.
#include <cstddef>
#include <string>
#include <utility>

#include "ipc/native_handle.hpp"

namespace ipc {

class SharedMemory {
 public:
  static SharedMemory create(std::size_t size);
  // Opens and maps an existing object, which must be exactly `size` bytes.
  static SharedMemory open(const std::string& name, std::size_t size);

  SharedMemory(SharedMemory&& other) noexcept;
  SharedMemory& operator=(SharedMemory&&) = delete;
  SharedMemory(const SharedMemory&) = delete;
  SharedMemory& operator=(const SharedMemory&) = delete;
  ~SharedMemory();

  // Removes the name (the mapping stays valid).  Idempotent.
  void unlink() noexcept;

  [[nodiscard]] std::byte* data() const noexcept { return data_; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] const std::string& name() const noexcept { return name_; }

 private:
  SharedMemory(std::string name, std::byte* data, std::size_t size, bool owns_name) noexcept
      : name_(std::move(name)), data_(data), size_(size), owns_name_(owns_name) {}

  // Windows: the creator's handle on the mapping, whose name lives while a
  // handle is open.  Linux: empty, the name lives until shm_unlink.
  UniqueNative mapping_;
  std::string name_;
  std::byte* data_ = nullptr;
  std::size_t size_ = 0;
  bool owns_name_ = false;  // still linked, and ours to unlink
};

// "/<prefix>-<pid>-<16 hex digits from getrandom>": unique and unguessable.
// Windows: "Local\\<prefix>-<pid>-<16 hex digits from std::random_device>".
[[nodiscard]] std::string unguessable_name(const char* prefix);

}  // namespace ipc

#include "ipc/shared_memory.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <utility>

#include "ipc/error.hpp"
#include "ipc/reserve.hpp"
#include "ipc/unique_fd.hpp"

namespace ipc {
namespace {

std::byte* map(int fd, std::size_t size) {
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) throw_errno("mmap");
  return static_cast<std::byte*>(p);
}

}  // namespace

std::string unguessable_name(const char* prefix) {
  std::uint64_t bits = 0;
  if (::getrandom(&bits, sizeof bits, 0) != sizeof bits) throw_errno("getrandom");
  return fmt::format("/{}-{}-{:016x}", prefix, ::getpid(), bits);
}

SharedMemory SharedMemory::create(std::size_t size) {
  std::string name = unguessable_name("ipc_bench");
  UniqueFd fd(::shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd) throw_errno("shm_open " + name);
  // Unlinked again if anything below fails.
  SharedMemory segment(name, nullptr, 0, true);
  reserve(fd.get(), size, name, "/dev/shm", "free space there or raise its size (mount -o remount,size=...)");
  segment.data_ = map(fd.get(), size);
  segment.size_ = size;
  return segment;
}

SharedMemory SharedMemory::open(const std::string& name, std::size_t size) {
  UniqueFd fd(::shm_open(name.c_str(), O_RDWR | O_CLOEXEC, 0));
  if (!fd) throw_errno("shm_open " + name);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw_errno("fstat " + name);
  if (static_cast<std::size_t>(st.st_size) != size)
    throw Error(fmt::format("shared memory {} holds {} bytes, expected {}", name, st.st_size, size));
  return SharedMemory(name, map(fd.get(), size), size, false);
}

SharedMemory::SharedMemory(SharedMemory&& other) noexcept
    : name_(std::move(other.name_)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      owns_name_(std::exchange(other.owns_name_, false)) {}

SharedMemory::~SharedMemory() {
  unlink();
  if (data_) ::munmap(data_, size_);
}

void SharedMemory::unlink() noexcept {
  if (owns_name_) ::shm_unlink(name_.c_str());
  owns_name_ = false;
}

}  // namespace ipc

#include "ipc/shared_memory.hpp"

#include <fmt/format.h>

#include <random>

#include "ipc/windows/error.hpp"
#include "ipc/windows/win32.hpp"

namespace ipc {
namespace {

std::size_t page_rounded(std::size_t size) {
  SYSTEM_INFO info;
  ::GetSystemInfo(&info);
  const std::size_t page = info.dwPageSize;
  return (size + page - 1) / page * page;
}

std::byte* map_view(HANDLE mapping, std::size_t size, const std::string& name) {
  void* view = ::MapViewOfFile(mapping, FILE_MAP_ALL_ACCESS, 0, 0, size);
  if (view == nullptr) throw_last_error(fmt::format("MapViewOfFile {}", name));
  return static_cast<std::byte*>(view);
}

}  // namespace

std::string unguessable_name(const char* prefix) {
  // mingw-w64's std::random_device draws from rand_s (RtlGenRandom).
  std::random_device random;
  const std::uint64_t bits = (std::uint64_t{random()} << 32) | random();
  return fmt::format("Local\\{}-{}-{:016x}", prefix, ::GetCurrentProcessId(), bits);
}

SharedMemory SharedMemory::create(std::size_t size) {
  std::string name = unguessable_name("ipc_bench");
  // SEC_COMMIT (the default): the whole size is charged against the commit
  // limit now, so a segment that does not fit fails here, not at a write.
  ::SetLastError(0);
  HANDLE mapping = ::CreateFileMappingW(INVALID_HANDLE_VALUE, nullptr, PAGE_READWRITE,
                                        static_cast<DWORD>(static_cast<std::uint64_t>(size) >> 32),
                                        static_cast<DWORD>(size & 0xFFFFFFFFu), win32::widen(name).c_str());
  if (mapping == nullptr) {
    const DWORD code = ::GetLastError();
    throw Error(fmt::format("cannot create shared memory {} of {} bytes: {}", name, size, win32_message(code)));
  }
  UniqueHandle owner(mapping);
  if (::GetLastError() == ERROR_ALREADY_EXISTS) throw Error(fmt::format("shared memory {} exists already", name));
  std::byte* data = map_view(mapping, size, name);
  SharedMemory segment(std::move(name), data, size, true);
  segment.mapping_ = std::move(owner);
  return segment;
}

SharedMemory SharedMemory::open(const std::string& name, std::size_t size) {
  const UniqueHandle mapping(::OpenFileMappingW(FILE_MAP_ALL_ACCESS, FALSE, win32::widen(name).c_str()));
  if (!mapping) throw_last_error(fmt::format("cannot open shared memory {}", name));
  std::byte* data = map_view(mapping.get(), 0, name);
  MEMORY_BASIC_INFORMATION region{};
  if (::VirtualQuery(data, &region, sizeof region) == 0 || region.RegionSize != page_rounded(size)) {
    ::UnmapViewOfFile(data);
    throw Error(fmt::format("shared memory {} is {} bytes, expected {} (rounded to {})", name, region.RegionSize,
                            size, page_rounded(size)));
  }
  // `mapping` closes here: the view keeps the section alive, and the name
  // now lives only as long as the creator's handle.
  return SharedMemory(name, data, size, false);
}

SharedMemory::SharedMemory(SharedMemory&& other) noexcept
    : mapping_(std::move(other.mapping_)),
      name_(std::move(other.name_)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      owns_name_(std::exchange(other.owns_name_, false)) {}

SharedMemory::~SharedMemory() {
  if (data_ != nullptr) ::UnmapViewOfFile(data_);
  unlink();
}

void SharedMemory::unlink() noexcept {
  mapping_.reset();
  owns_name_ = false;
}

}  // namespace ipc

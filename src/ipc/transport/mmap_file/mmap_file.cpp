#include "ipc/transport/mmap_file/mmap_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <utility>

#include "ipc/consumer.hpp"
#include "ipc/message.hpp"
#include "ipc/private_directory.hpp"
#include "ipc/reserve.hpp"
#include "ipc/shm_segment.hpp"
#include "ipc/spawned_runner.hpp"
#include "ipc/spin_protocol.hpp"
#include "ipc/unique_fd.hpp"

namespace ipc::transport::mmap_file {
namespace {

// The file holds exactly shm_spin's segment (ipc/shm_channel.hpp): the same
// header, the same 128-byte-aligned channels, the same 64-bit sequence words
// and the same spin.  Only the backing differs: a regular file in $TMPDIR
// (else /tmp) instead of a POSIX shared-memory object on /dev/shm, so the
// file system's page cache and write-back come into play (docs/protocol.md).

// A regular file mapped shared, read-write.  The descriptor is closed once
// the file is mapped: the mapping keeps the file alive, even unlinked.
class MappedFile {
 public:
  // Creates `path` exclusively (O_EXCL, mode 0600, never through a symbolic
  // link), sizes it (zero-filled) and maps it.  Unlinked again on failure.
  static MappedFile create(std::string path, std::size_t size) {
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) throw_errno("create " + path);
    MappedFile file(std::move(path), nullptr, 0, true);
    reserve(fd.get(), size, file.path_, std::filesystem::path(file.path_).parent_path().parent_path().string(),
            "free space there or set TMPDIR to a larger file system");
    file.data_ = map(fd.get(), size);
    file.size_ = size;
    return file;
  }

  // Opens and maps an existing regular file, which must be exactly `size` bytes.
  static MappedFile open(const std::string& path, std::size_t size) {
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) throw_errno("open " + path);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) throw_errno("fstat " + path);
    if (!S_ISREG(st.st_mode)) throw Error(fmt::format("{} is not a regular file", path));
    if (static_cast<std::size_t>(st.st_size) != size)
      throw Error(fmt::format("file {} holds {} bytes, expected {}", path, st.st_size, size));
    return MappedFile(path, map(fd.get(), size), size, false);
  }

  MappedFile(MappedFile&& other) noexcept
      : path_(std::move(other.path_)),
        data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)),
        owns_name_(std::exchange(other.owns_name_, false)) {}
  MappedFile& operator=(MappedFile&&) = delete;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile() {
    unlink();
    if (data_) ::munmap(data_, size_);
  }

  // Removes the name (the mapping stays valid).  Idempotent.
  void unlink() noexcept {
    if (owns_name_) ::unlink(path_.c_str());
    owns_name_ = false;
  }

  [[nodiscard]] std::byte* data() const noexcept { return data_; }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

 private:
  MappedFile(std::string path, std::byte* data, std::size_t size, bool owns_name) noexcept
      : path_(std::move(path)), data_(data), size_(size), owns_name_(owns_name) {}

  static std::byte* map(int fd, std::size_t size) {
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) throw_errno("mmap");
    return static_cast<std::byte*>(p);
  }

  std::string path_;
  std::byte* data_ = nullptr;
  std::size_t size_ = 0;
  bool owns_name_ = false;  // still linked, and ours to unlink
};

using FileSegment = shm::MappedSegment<std::uint64_t, MappedFile>;

// The producer's end: the file in its private directory, both sides
// polling 64-bit sequence words as shm_spin's.
class File {
 public:
  explicit File(const RunnerOptions& options)
      : directory_(PrivateDirectory::create()),
        segment_(FileSegment::create(options.payload, [this](std::size_t bytes) {
          return MappedFile::create(directory_.entry("segment"), bytes);
        })) {}

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    return {options.consumer_path, {"--path", segment_.memory().path(), "--payload", std::to_string(options.payload)},
            {}, options.consumer_cpu};
  }

  std::function<void()> hand_over(Consumer& consumer) {
    // Both sides have it mapped: neither the name (unlinked here) nor the
    // directory has any further use.
    segment_.await_consumer(consumer, "the consumer to map the file");
    directory_.remove();
    // The consumer is dead when this runs: nobody else writes the pong channel.
    return [pong = segment_.channels().pong] { pong.publish(shm::kInterrupted); };
  }

  shm::SpinLink<> link() const { return {segment_.channels()}; }
  void stop() { segment_.channels().ping.publish(shm::kStop); }

 private:
  PrivateDirectory directory_;  // before segment_: removed after the file is unlinked and unmapped
  FileSegment segment_;
};

}  // namespace

std::unique_ptr<Runner> start(const RunnerOptions& options) { return std::make_unique<SpawnedRunner<File>>(options); }

int serve(const std::string& path, std::size_t payload) {
  const FileSegment segment = FileSegment::open(
      payload, [&](std::size_t bytes) { return MappedFile::open(path, bytes); }, fmt::format("file {}", path));
  return spin_serve(segment, payload);
}

}  // namespace ipc::transport::mmap_file

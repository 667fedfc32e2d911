#include "uring.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>

#include "ipc/error.hpp"
#include "anon_inode.hpp"
#include "text_file.hpp"

namespace ipc::uring {
namespace {

constexpr const char* kSysctl = "/proc/sys/kernel/io_uring_disabled";

// What kernel.io_uring_disabled (Linux 6.6) says, for a message.
std::string sysctl_note() {
  const std::optional<int> disabled = detail::read_int(kSysctl);
  if (!disabled || *disabled == 0) return {};
  if (*disabled == 2)
    return "kernel.io_uring_disabled=2 forbids io_uring to every process; set "
           "it to 0 (as root: sysctl -w kernel.io_uring_disabled=0)";
  return "kernel.io_uring_disabled=1 allows io_uring only to members of "
         "kernel.io_uring_group and to CAP_SYS_ADMIN; set it to 0 or join that "
         "group";
}

std::string refusal(int error) {
  if (std::string note = sysctl_note(); !note.empty())
    return fmt::format("io_uring_setup: {}: {}", std::strerror(error), note);
  if (error == ENOSYS)
    return "io_uring_setup: not implemented (a kernel built without "
           "CONFIG_IO_URING, before 5.1, or a seccomp filter of the container "
           "or sandbox: allow io_uring_setup and io_uring_enter)";
  if (error == EPERM)
    return "io_uring_setup: operation not permitted (a seccomp filter or an "
           "LSM forbids io_uring: allow io_uring_setup and io_uring_enter)";
  if (error == ENOMEM)
    return "io_uring_setup: cannot allocate memory (before Linux 5.12 rings count against RLIMIT_MEMLOCK: raise "
           "ulimit -l)";
  return fmt::format("io_uring_setup: {}", std::strerror(error));
}

}  // namespace

Ring::Ring(unsigned entries) {
  if (const int r = ::io_uring_queue_init(entries, &ring_, 0); r < 0) throw Error(refusal(-r));
}

Ring::Ring(int fd, io_uring_params params) {
  if (const int r = ::io_uring_queue_mmap(fd, &params, &ring_); r < 0) {
    ::close(fd);
    throw Error(fmt::format("mapping io_uring {}: {}", fd, std::strerror(-r)));
  }
  // The kernel leaves the submission queue's index array zeroed, and
  // liburing 2.3 fills it in io_uring_queue_init() only: without this, every
  // submission would run the entry in slot 0 again.  Nobody has used the
  // ring yet, so the array is ours to fill.
  for (unsigned i = 0; i < *ring_.sq.kring_entries; ++i) ring_.sq.array[i] = i;
}

Unmapped set_up(unsigned entries) {
  Unmapped ring{UniqueFd(), {}};
  const int fd = ::io_uring_setup(entries, &ring.params);
  if (fd < 0) throw Error(refusal(-fd));
  ring.fd.reset(fd);
  return ring;
}

void Ring::submit_and_wait(unsigned count) {
  int r = ::io_uring_submit_and_wait(&ring_, count);
  // A signal may cut the wait short once the entries are submitted; the
  // completions are then collected by next().
  if (r < 0 && r != -EINTR) throw Error(fmt::format("io_uring_enter: {}", std::strerror(-r)));
}

io_uring_cqe* Ring::next() {
  io_uring_cqe* cqe = nullptr;
  for (;;) {
    const int r = ::io_uring_wait_cqe(&ring_, &cqe);
    if (r == 0) return cqe;
    if (r != -EINTR) throw Error(fmt::format("io_uring_enter: {}", std::strerror(-r)));
  }
}

std::string unavailable(int opcode, const char* opcode_name, const char* since) {
  static const std::string setup = [] {
    io_uring ring{};
    if (const int r = ::io_uring_queue_init(1, &ring, 0); r < 0) return refusal(-r);
    ::io_uring_queue_exit(&ring);
    return std::string();
  }();
  if (!setup.empty()) return setup;
  const std::unique_ptr<io_uring_probe, void (*)(io_uring_probe*)> probe(::io_uring_get_probe(), ::io_uring_free_probe);
  if (!probe)
    return "io_uring: the kernel cannot list its operations "
           "(IORING_REGISTER_PROBE, Linux 5.6)";
  if (!::io_uring_opcode_supported(probe.get(), opcode))
    return fmt::format("io_uring: this kernel lacks {} (Linux {})", opcode_name, since);
  return {};
}

void expect_ring(int fd, const char* option) { expect_anon_inode(fd, option, "io_uring"); }

}  // namespace ipc::uring

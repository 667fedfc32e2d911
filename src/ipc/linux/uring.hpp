#pragma once
// What uring_unix and uring_msg_ring share: an io_uring owned like a
// descriptor, and whether this system lets us create one.  Private to
// ipc_core.
#include <liburing.h>

#include <span>
#include <string>

#include "ipc/unique_fd.hpp"

namespace ipc::uring {

class Ring {
 public:
  // A ring of `entries` submission slots (twice as many completion slots).
  // Throws ipc::Error, with the remedy, when the kernel refuses io_uring.
  explicit Ring(unsigned entries);
  // Maps the ring `fd` that another process set up with `params` (what
  // io_uring_setup returned there), and owns `fd`.  Throws ipc::Error.
  Ring(int fd, io_uring_params params);
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;
  ~Ring() { ::io_uring_queue_exit(&ring_); }

  [[nodiscard]] io_uring* get() noexcept { return &ring_; }
  // The ring's descriptor (close-on-exec), which IORING_OP_MSG_RING targets.
  [[nodiscard]] int fd() const noexcept { return ring_.ring_fd; }

  // A free submission slot.  The transports queue at most two entries
  // between submissions, so one is always free.
  [[nodiscard]] io_uring_sqe* sqe() noexcept { return ::io_uring_get_sqe(&ring_); }

  // Submits what is queued and waits until `count` completions are there;
  // retries when a signal cuts the wait short.  Throws ipc::Error.
  void submit_and_wait(unsigned count);

  // The next completion, waiting if there is none yet.  The caller calls
  // seen() once it has read it.  Throws ipc::Error.
  [[nodiscard]] io_uring_cqe* next();
  void seen(io_uring_cqe* cqe) noexcept { ::io_uring_cqe_seen(&ring_, cqe); }

 private:
  io_uring ring_{};
};

// A ring set up but not mapped here: for another process to map and use.
struct Unmapped {
  UniqueFd fd;             // close-on-exec
  io_uring_params params;  // what that process needs to map it
};
// Throws ipc::Error as Ring's constructor.
[[nodiscard]] Unmapped set_up(unsigned entries);

// Why this system refuses io_uring, with what allows it, in one line; empty
// when a ring can be created.  Tried once per process, then remembered.
// `opcode`: an operation the transport needs, checked with a probe.
[[nodiscard]] std::string unavailable(int opcode, const char* opcode_name, const char* since);

// Throws ipc::Error unless `fd` is an io_uring; `option` names it for the
// message.
void expect_ring(int fd, const char* option);

}  // namespace ipc::uring

#pragma once
// The system calls of the timed loops, made through syscall(2).
//
// glibc's read(), write(), send(), recv(), msgsnd() and msgrcv() are cancellation points
// (pthreads(7)): once a process has a second thread (ipc_bench's watchdog)
// each call brackets the system call with __pthread_enable_asynccancel() and
// __pthread_disable_asynccancel(), atomic read-modify-writes that no
// mechanism here needs (callgrind: 235 instructions per pipe round trip on
// the producer's side against 68 in a minimal single-threaded C loop).
// syscall(2) is not a cancellation point: it traps with the arguments as
// given.  Each wrapper returns what the system call returns, -1 with errno
// set on failure, like the libc function it replaces.
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstddef>

namespace ipc::sys {

inline ssize_t read(int fd, void* buf, std::size_t count) noexcept { return ::syscall(SYS_read, fd, buf, count); }

inline ssize_t write(int fd, const void* buf, std::size_t count) noexcept {
  return ::syscall(SYS_write, fd, buf, count);
}

// send(2) and recv(2) are sendto(2) and recvfrom(2) without an address.
inline ssize_t send(int fd, const void* buf, std::size_t count, int flags) noexcept {
  return ::syscall(SYS_sendto, fd, buf, count, flags, nullptr, 0);
}

inline ssize_t recv(int fd, void* buf, std::size_t count, int flags) noexcept {
  return ::syscall(SYS_recvfrom, fd, buf, count, flags, nullptr, nullptr);
}

// mq_send(3) and mq_receive(3) are mq_timedsend(2) and mq_timedreceive(2)
// without a deadline.
inline int mq_send(int mqd, const char* msg, std::size_t length, unsigned priority) noexcept {
  return static_cast<int>(::syscall(SYS_mq_timedsend, mqd, msg, length, priority, nullptr));
}

inline ssize_t mq_receive(int mqd, char* msg, std::size_t length, unsigned* priority) noexcept {
  return ::syscall(SYS_mq_timedreceive, mqd, msg, length, priority, nullptr);
}

// msgsnd(2) and msgrcv(2), System V message queues: cancellation points as
// well.  `message` points at a long mtype followed by the text.
inline int msgsnd(int queue, const void* message, std::size_t length, int flags) noexcept {
  return static_cast<int>(::syscall(SYS_msgsnd, queue, message, length, flags));
}

inline ssize_t msgrcv(int queue, void* message, std::size_t length, long type, int flags) noexcept {
  return ::syscall(SYS_msgrcv, queue, message, length, type, flags);
}

}  // namespace ipc::sys

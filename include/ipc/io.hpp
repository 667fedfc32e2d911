#pragma once
// Whole-message reads and writes on blocking descriptors (pipes, stream
// sockets), and the stream transports' Link and echo loop.
//
// Linux: the common case, the whole message in one system call, is inline
// and goes through ipc/sys.hpp; short transfers, EINTR and errors take the
// out-of-line path.  Windows (pipes only): ReadFile and WriteFile
// (windows/io.cpp).
#include <cstddef>
#include <cstdint>
#include <span>

#include "ipc/error.hpp"
#include "ipc/native_handle.hpp"
#include "ipc/round_trip_loop.hpp"
#ifndef _WIN32
#include "ipc/sys.hpp"
#endif

namespace ipc {

enum class ReadResult { complete, eof };

#ifdef _WIN32
// Reads exactly buf.size() bytes; eof if the writer closed before the first
// byte (ERROR_BROKEN_PIPE).  Throws ipc::Error on a partial message or any
// other failure.
ReadResult read_exact(NativeHandle handle, std::span<std::byte> buf);
// Writes all of buf; throws ipc::Error (the reader is gone: ERROR_NO_DATA).
void write_all(NativeHandle handle, std::span<const std::byte> buf);
#else

// A read or write that waited as long as the descriptor's SO_RCVTIMEO or
// SO_SNDTIMEO allows (the sockets of a run against a remote consumer).
class TimedOut : public Error {
 public:
  explicit TimedOut(bool sending) : Error(sending ? "send timed out" : "receive timed out"), sending_(sending) {}
  [[nodiscard]] bool sending() const noexcept { return sending_; }

 private:
  bool sending_;
};

namespace io_detail {
// The rest of a read or write whose first system call returned `first`.
ReadResult finish_read(int fd, std::span<std::byte> buf, ssize_t first);
void finish_write(int fd, std::span<const std::byte> buf, ssize_t first);
}  // namespace io_detail

// Reads exactly buf.size() bytes, retrying on EINTR and short reads.
// Returns eof if the peer closed before the first byte; throws ipc::Error on a
// partial message, a timeout (SO_RCVTIMEO: TimedOut) or any other failure.
inline ReadResult read_exact(int fd, std::span<std::byte> buf) {
  const ssize_t r = sys::read(fd, buf.data(), buf.size());
  if (r == static_cast<ssize_t>(buf.size()) && r > 0) [[likely]]
    return ReadResult::complete;
  return io_detail::finish_read(fd, buf, r);
}

// Writes all of buf, retrying on EINTR and short writes; throws ipc::Error
// (TimedOut after SO_SNDTIMEO).
inline void write_all(int fd, std::span<const std::byte> buf) {
  const ssize_t r = sys::write(fd, buf.data(), buf.size());
  if (r == static_cast<ssize_t>(buf.size())) [[likely]]
    return;
  io_detail::finish_write(fd, buf, r);
}
#endif

// The Link (ipc/round_trip_loop.hpp) of every byte-stream transport: pipe,
// fifo, tcp_*, unix_stream.  A message is exactly N bytes each way.
struct StreamLink {
  NativeHandle out;     // pings go here
  NativeHandle in;      // pongs come from here
  const char* closed;   // what end of file on `in` means, for the error

  void send(std::span<const std::byte> ping, std::uint64_t /*seq*/) { write_all(out, ping); }
  Reply receive(std::span<std::byte> buffer, std::uint64_t /*seq*/) {
    if (read_exact(in, buffer) == ReadResult::eof) [[unlikely]]
      throw Error(closed);
    return {buffer, buffer.size()};
  }
};

// The consumer's side of every byte-stream transport, once READY is sent:
// echoes `payload`-byte messages from `in` to `out` until end of file.
// Throws ipc::Error on a partial message or a failed call.
void echo_stream(NativeHandle in, NativeHandle out, std::size_t payload);

// An anonymous pipe that no child inherits unless lent to it at a spawn
// (pipe2 with O_CLOEXEC; CreatePipe without inheritance).  Throws ipc::Error.
struct AnonymousPipe {
  UniqueNative read_end, write_end;
  AnonymousPipe();
};

// This process's standard input and output: 0 and 1, or GetStdHandle's.
[[nodiscard]] NativeHandle standard_input() noexcept;
[[nodiscard]] NativeHandle standard_output() noexcept;

}  // namespace ipc

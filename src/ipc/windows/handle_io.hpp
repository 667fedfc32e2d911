#pragma once
// Whole-message ReadFile and WriteFile on blocking handles (anonymous pipes),
// and the pipe transport's Link: the Windows counterpart of ipc/io.hpp.
#include <cstddef>
#include <cstdint>
#include <span>

#include "ipc/error.hpp"
#include "ipc/round_trip_loop.hpp"
#include "win32.hpp"

namespace ipc::windows {

enum class ReadResult { complete, eof };

// Reads exactly buf.size() bytes; eof if the writer closed before the first
// byte (ERROR_BROKEN_PIPE).  Throws ipc::Error on a partial message or any
// other failure.
ReadResult read_exact(HANDLE handle, std::span<std::byte> buf);
// Writes all of buf; throws ipc::Error (the reader is gone: ERROR_NO_DATA).
void write_all(HANDLE handle, std::span<const std::byte> buf);

struct HandleLink {
  HANDLE out;           // pings go here
  HANDLE in;            // pongs come from here
  const char* closed;   // what end of file on `in` means, for the error

  void send(std::span<const std::byte> ping, std::uint64_t /*seq*/) { write_all(out, ping); }
  Reply receive(std::span<std::byte> buffer, std::uint64_t /*seq*/) {
    if (read_exact(in, buffer) == ReadResult::eof) [[unlikely]]
      throw Error(closed);
    return {buffer, buffer.size()};
  }
};

// Bytes waiting in the pipe (PeekNamedPipe), for the handshake's wait; 0 on
// a closed pipe.
[[nodiscard]] std::size_t available(HANDLE pipe) noexcept;

}  // namespace ipc::windows

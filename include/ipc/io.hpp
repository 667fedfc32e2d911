#pragma once
// Whole-message reads and writes on blocking descriptors (pipes, stream sockets).
#include <cstddef>
#include <span>

#include "ipc/error.hpp"

namespace ipc {

// A read or write that waited as long as the descriptor's SO_RCVTIMEO or
// SO_SNDTIMEO allows (the sockets of a run against a remote consumer).
class TimedOut : public Error {
 public:
  explicit TimedOut(bool sending) : Error(sending ? "send timed out" : "receive timed out"), sending_(sending) {}
  [[nodiscard]] bool sending() const noexcept { return sending_; }

 private:
  bool sending_;
};

enum class ReadResult { complete, eof };

// Reads exactly buf.size() bytes, retrying on EINTR and short reads.
// Returns eof if the peer closed before the first byte; throws ipc::Error on a
// partial message, a timeout (SO_RCVTIMEO: TimedOut) or any other failure.
ReadResult read_exact(int fd, std::span<std::byte> buf);

// Writes all of buf, retrying on EINTR and short writes; throws ipc::Error
// (TimedOut after SO_SNDTIMEO).
void write_all(int fd, std::span<const std::byte> buf);

}  // namespace ipc

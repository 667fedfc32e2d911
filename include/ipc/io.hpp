#pragma once
// Whole-message reads and writes on blocking descriptors (pipes, stream sockets).
#include <cstddef>
#include <span>

namespace ipc {

enum class ReadResult { complete, eof };

// Reads exactly buf.size() bytes, retrying on EINTR and short reads.
// Returns eof if the peer closed before the first byte; throws ipc::Error on a
// partial message, a timeout (SO_RCVTIMEO) or any other failure.
ReadResult read_exact(int fd, std::span<std::byte> buf);

// Writes all of buf, retrying on EINTR and short writes; throws ipc::Error.
void write_all(int fd, std::span<const std::byte> buf);

}  // namespace ipc

#pragma once
// Reserving the backing store of a shared mapping before it is touched.
//
// ftruncate only sets a file's size: on a full tmpfs or disk the first write
// through the mapping then raises SIGBUS and kills the whole run.  Reserving
// the blocks up front turns that into an error the benchmark can report.
#include <cstddef>
#include <string>

namespace ipc {

// Sizes the file open at `fd` to `size` bytes and reserves them
// (posix_fallocate).  `where` names the file system for the message
// ("/dev/shm", "$TMPDIR (/tmp)"), `remedy` says what to change.  Throws
// Error: for lack of space "<where> has N bytes free, M needed: <remedy>",
// else "<what>: <strerror>".
void reserve(int fd, std::size_t size, const std::string& what, const std::string& where, const std::string& remedy);

}  // namespace ipc

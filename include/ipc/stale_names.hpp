#pragma once
// Names left by ipc_bench processes that were killed outright.
//
// Every named object ipc_bench creates (a shared-memory segment, a pair of
// message queues, a private directory for socket files, FIFOs or a mapped
// file) loses its name as soon as the consumer has it, and at the latest
// when the run ends; a SIGKILL in between leaves it.  Such names carry the
// creator's pid (unguessable_name, PrivateDirectory), so a later run can tell
// which ones nobody will ever remove and remove them itself.
#include <string>
#include <vector>

namespace ipc {

// Removes, and returns as paths:
//   /dev/shm/ipc_bench-<pid>-<16 hex digits>                 regular files
//   /dev/shm/ipc_bench-<pid>-<16 hex digits>-{ping,pong}     regular files (boost_mq's queues)
//   /dev/mqueue/ipc_bench-<pid>-<16 hex digits>-{ping,pong}  message queues
//   <temp>/ipc_bench-<pid>-<6 of [A-Za-z0-9]>                directories (mode
//       0700 or narrower) holding nothing but the entries ipc_bench puts
//       there: socket (a socket), ping and pong (FIFOs), segment (a regular
//       file); removed with them
// where <temp> is std::filesystem::temp_directory_path() ($TMPDIR, else
// /tmp) as for PrivateDirectory, <pid> is a process that no longer exists
// (kill(pid, 0) fails with ESRCH) and the object belongs to this effective
// user.  Symbolic links are never followed, nor removed.  Anything that does
// not match exactly, or cannot be examined or removed, stays: this never
// throws.
//
// Limitations: a pid that has been reused keeps its objects until that
// process is gone too; a process in another pid namespace that shares these
// directories looks dead from here, and could lose a name during its short
// hand-over.  Message queues are found only where an mqueue file system is
// mounted at /dev/mqueue.
std::vector<std::string> remove_stale_names() noexcept;

// "removed N objects left by ipc_bench processes that no longer run: " and
// the paths, or "" when `removed` is empty.
std::string stale_names_note(const std::vector<std::string>& removed);

}  // namespace ipc

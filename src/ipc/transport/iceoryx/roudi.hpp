#pragma once
// The RouDi daemon an iceoryx 2.0 process registers with, one per machine
// (its names are fixed: /dev/shm/iceoryx_mgmt, /dev/shm/<user>, /tmp/roudi,
// /tmp/roudi.lock), and this process's runtime, registered with it once.
//
// Where a RouDi already runs, it is used and never stopped.  Else ipc_bench
// starts a private iox-roudi with mempools for the payloads asked, in a
// session of its own (a Ctrl-C at the terminal must not reach it), and the
// last ipc_bench process using it stops it at exit (SIGTERM: RouDi removes
// its own names) and removes what a RouDi killed outright leaves.  Users are
// counted by shared flock()s on /tmp/ipc_bench-roudi.users, decisions to
// start or stop serialised by /tmp/ipc_bench-roudi.lock; a private RouDi whose
// last user was killed is adopted by the next run and stopped by it.
#include <chrono>
#include <cstddef>
#include <span>
#include <sys/types.h>
#include <string>

namespace ipc::transport::iceoryx {

// The largest payload, in bytes: each pool is reserved whole in /dev/shm.
inline constexpr std::size_t kMaxPayload = 4 * 1024 * 1024;

// Ensures a RouDi serves this process and the runtime is registered as
// "ipc_bench_<pid>".  `payloads` (bytes) size a private RouDi's mempools on
// the first call; later calls reuse the session whatever they pass.  Throws
// ipc::Error: no iox-roudi, /dev/shm too small ("/dev/shm has N bytes free,
// M needed: ..."), RouDi not ready within `timeout`.
void ensure_roudi(std::span<const std::size_t> payloads, std::chrono::milliseconds timeout);

// The JSON context value once ensure_roudi() succeeded: "running (pid N)"
// for a RouDi found running, "private (pid N)" for one ipc_bench started.
std::string roudi_context();

// iceoryx's own log on stderr: errors only (its default is chatty).
void quiet_iceoryx_log();

// Removes the runtime socket files of a consumer `pid` that was killed
// before it could: ipc_bench_c_<pid> (iceoryx_consumer) and
// iceoryx_rt_<pid>_* (Cyclone DDS's runtime), in /tmp.
void remove_runtime_sockets(pid_t pid);

// Why no RouDi can be had here (no iox-roudi in PATH and none running), or
// empty.  Never throws.
std::string roudi_unavailable();

}  // namespace ipc::transport::iceoryx

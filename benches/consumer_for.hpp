#pragma once
// Which consumer a benchmark spawns: read by the Session, which starts it,
// and by ipc_bench's check, before anything runs, that it is there.
#include "ipc/child_process.hpp"
#include "ipc/registry.hpp"
#include "options.hpp"

namespace ipc::bench {

// The consumer to spawn for `transport`: its own, or --consumer-cmd with
// "{transport}" replaced by the transport's name and the executable looked
// up in $PATH.
Command consumer_for(const Transport& transport, const Options& options);

}  // namespace ipc::bench

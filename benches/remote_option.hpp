#pragma once
// --remote HOST:PORT and --token: ipc_bench against a consumer started by
// hand, on Linux only.  Linux (linux/remote_option.cpp) checks them against
// the rest of the command line and resolves the host; Windows
// (windows/remote_option.cpp) refuses --remote, because its consumers run
// on this machine (they take --port, not --listen).
#include <string>
#include <vector>

#include "options.hpp"

namespace ipc::bench {

// --remote and --token, checked against the rest: the transports must be
// named (`transport_names`, as given to -t) and able to cross machines, and
// only the producer is placed.  Throws UsageError.
RemoteTarget resolve_remote(const std::string& remote_text, bool token_given, const std::string& token,
                            const std::vector<std::string>& transport_names, bool placement_given, Options& options);

// --remote's host, resolved once, before anything runs (after
// parse_options, which does no name lookup).  Throws UsageError.
void resolve_remote_host(RemoteTarget& remote);

}  // namespace ipc::bench

#pragma once
// --remote HOST:PORT and --token: ipc_bench against a consumer started by
// hand, on Linux only.  Linux (linux/remote_option.cpp) checks them against
// the rest of the command line and resolves the host; Windows
// (windows/remote_option.cpp) refuses --remote, because its consumers run
// on this machine (they take --port, not --listen).
#include <cstdint>
#include <string>
#include <vector>

#include "ipc/placement.hpp"
#include "ipc/registry.hpp"

namespace ipc::bench {

// --remote HOST:PORT --token SECRET: run against a consumer started by hand.
struct RemoteTarget {
  std::string host;  // as given: a name or A.B.C.D
  std::uint16_t port = 0;
  std::string token;
  std::string endpoint;  // A.B.C.D:PORT, once ipc_bench has resolved the host
};

// The rest of the command line, as --remote checks it.
struct RemoteContext {
  const std::vector<std::string>& transport_names;  // as given to -t
  const std::vector<const Transport*>& transports;  // resolved
  bool placement_given;
  bool consumer_command_given;
};

// --remote and --token, checked against the rest: the transports must be
// named and able to cross machines, --consumer-cmd is not given, and only
// the producer is placed (`placements`: a default of same becomes none).
// Throws UsageError.
RemoteTarget resolve_remote(const std::string& remote_text, bool token_given, const std::string& token,
                            const RemoteContext& context, std::vector<Placement>& placements);

// Whether this build runs against a remote consumer at all: --help lists
// --remote and --token only where it does (Linux).
bool remote_available() noexcept;

// --remote's host, resolved once, before anything runs (after
// parse_options, which does no name lookup).  Throws UsageError.
void resolve_remote_host(RemoteTarget& remote);

}  // namespace ipc::bench

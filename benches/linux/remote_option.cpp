// --remote on Linux (see remote_option.hpp).  Windows: windows/remote_option.cpp.
#include "remote_option.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "ipc/error.hpp"
#include "ipc/inet.hpp"
#include "ipc/registry.hpp"
#include "ipc/remote.hpp"
#include "usage_error.hpp"

namespace ipc::bench {
namespace {

std::string remote_transport_names() {
  std::string names;
  for (const Transport& t : transports())
    if (t.remote) names += fmt::format("{}{}", names.empty() ? "" : ", ", t.name);
  return names;
}

}  // namespace

RemoteTarget resolve_remote(const std::string& remote_text, bool token_given, const std::string& token,
                            const RemoteContext& context, std::vector<Placement>& placements) {
  const auto target = split_host_port(remote_text);
  if (!target) throw UsageError(fmt::format("invalid --remote '{}': expected HOST:PORT", remote_text));
  if (!token_given) throw UsageError("--remote needs --token SECRET, the consumer's --token");
  if (const auto problem = token_problem(token)) throw UsageError(fmt::format("--token: {}", *problem));
  if (context.transport_names.empty())
    throw UsageError(fmt::format("--remote needs -t with the remote consumer's transport ({})", remote_transport_names()));
  for (const Transport* t : context.transports) {
    if (!t->remote)
      throw UsageError(fmt::format("--remote: {} cannot run against a remote consumer (only {} can)", t->name,
                                   remote_transport_names()));
  }
  if (context.consumer_command_given) throw UsageError("--remote and --consumer-cmd exclude each other");
  // One allowed CPU makes `same` the default: here that means `none`.
  if (!context.placement_given && placements == std::vector{Placement::same}) placements = {Placement::none};
  if (std::ranges::find(placements, Placement::same) != placements.end())
    throw UsageError("--remote: placement same needs both processes on this machine (split or none pin the producer only)");
  return {target->host, target->port, token, {}};
}

bool remote_available() noexcept { return true; }

void resolve_remote_host(RemoteTarget& remote) {
  try {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr = resolve_ipv4(remote.host);
    address.sin_port = htons(remote.port);
    remote.endpoint = to_string(address);
  } catch (const Error& e) {
    throw UsageError(fmt::format("--remote: {}", e.what()));
  }
}

}  // namespace ipc::bench

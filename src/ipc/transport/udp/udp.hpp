#pragma once
// udp: two connected loopback UDP sockets, one datagram per ping and per pong.
#include <cstddef>
#include <memory>
#include <string_view>

#include "ipc/fanout.hpp"
#include "ipc/remote.hpp"
#include "ipc/runner.hpp"

namespace ipc::transport::udp {

// The largest UDP payload over IPv4: 65535 - 20 (IP header) - 8 (UDP header).
inline constexpr std::size_t kMaxPayload = 65507;

std::unique_ptr<Runner> start(const RunnerOptions& options);
// The consumer side: sends READY to `endpoint`, then echoes datagrams until an
// empty one arrives.
int serve(std::string_view endpoint, std::size_t payload);
// Fan-out (Linux): a socket pair per receiver, one datagram sent to each in
// turn; its consumer (udp_consumer --stamp) writes the delivery stamp into
// each pong, and throws ipc::Error for a payload too small to carry it.
std::unique_ptr<Fanout> start_fanout(const FanoutOptions& options);
int serve_stamped(std::string_view endpoint, std::size_t payload);

// Against a consumer started by hand (ipc_bench --remote).
std::unique_ptr<Runner> remote(const RemoteOptions& options);
// That consumer (udp_consumer --listen): serves one run after another, each
// after a hello with the right token, until killed.  Throws ipc::Error only
// if it cannot bind at all.
int serve_listen(const ListenOptions& listen);

}  // namespace ipc::transport::udp

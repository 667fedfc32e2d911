#pragma once
// unix_stream, unix_dgram and unix_seqpacket: a Unix domain socket of each
// type, its file in a private directory (mode 0700) removed once connected.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ipc/fanout.hpp"
#include "ipc/runner.hpp"

namespace ipc::transport::unix_socket {

enum class Type { stream, dgram, seqpacket };

// "stream", "dgram", "seqpacket": the consumer's --type.
[[nodiscard]] std::optional<Type> parse_type(std::string_view text) noexcept;
[[nodiscard]] std::string_view to_string(Type type) noexcept;

// The largest datagram or seqpacket message: a message must fit in the
// sender's send buffer (see ensure_send_buffer in unix_socket.cpp), and
// 128 KiB fits in the default one (net.core.wmem_default, 208 KiB) with room
// to spare.  A stream has no message size: 16 MiB like tcp.
inline constexpr std::size_t kMaxMessage = 128 * 1024;

std::unique_ptr<Runner> start_stream(const RunnerOptions& options);
std::unique_ptr<Runner> start_dgram(const RunnerOptions& options);
std::unique_ptr<Runner> start_seqpacket(const RunnerOptions& options);
// The consumer side: connects to the socket file `path`, says READY and
// echoes pings until the stop.
int serve(const std::string& path, Type type, std::size_t payload);
// unix_dgram's fan-out: a socket pair per receiver, one datagram sent to
// each in turn; its consumer (unix_consumer --type dgram --stamp) writes
// the delivery stamp into each pong, and throws ipc::Error for a payload
// too small to carry it.
std::unique_ptr<Fanout> start_dgram_fanout(const FanoutOptions& options);
int serve_stamped_dgram(const std::string& path, std::size_t payload);

}  // namespace ipc::transport::unix_socket

#pragma once
// Both sides of a transport whose library carries whole messages and reports
// a message's full size even when it did not fit (ZeroMQ, nng): one message
// per ping and per pong, an empty message the stop.  A pong that did not
// fit is seen as such: its size is the full one.
//
// Send(socket, bytes) sends one message; Receive(socket, buffer) blocks for
// one, stores what fits in buffer and returns the message's full size.
// Both are the library's calls with its errors turned into ipc::Error, as
// plain functions: template arguments, so that the timed loop calls them
// directly.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ipc/round_trip_loop.hpp"

namespace ipc {

// The producer's Link (ipc/round_trip_loop.hpp).
template <class Socket, auto Send, auto Receive>
struct MessageLink {
  Socket socket;

  void send(std::span<const std::byte> ping, std::uint64_t /*seq*/) { Send(socket, ping); }
  Reply receive(std::span<std::byte> buffer, std::uint64_t /*seq*/) {
    const std::size_t received = Receive(socket, buffer);
    return {buffer.first(std::min(received, buffer.size())), received};
  }
};

// The consumer's echo, after its READY: each message back as it came (a
// larger one cut to `payload` bytes, which the producer then refuses by its
// size), until the empty one.
template <auto Send, auto Receive, class Socket>
int echo_messages(Socket socket, std::size_t payload) {
  std::vector<std::byte> buf(payload);
  for (;;) {
    const std::size_t received = Receive(socket, std::span(buf));
    if (received == 0) return 0;
    Send(socket, std::span<const std::byte>(buf.data(), std::min(received, buf.size())));
  }
}

}  // namespace ipc

#pragma once
// One message per send and per receive: the Link (ipc/round_trip_loop.hpp)
// and the consumer's echo loop of the message-preserving sockets, udp,
// unix_dgram and unix_seqpacket, on a connected socket.
#include <cstddef>
#include <cstdint>
#include <span>

#include "ipc/error.hpp"
#include "ipc/round_trip_loop.hpp"
#include "ipc/sys.hpp"
#include "ipc/tick_clock.hpp"

namespace ipc {

namespace datagram_detail {
// The rest of a send or receive whose first system call returned `first`.
void finish_send(int fd, std::span<const std::byte> buf, ssize_t first);
std::size_t finish_receive(int fd, std::span<std::byte> buf, ssize_t first);
}  // namespace datagram_detail

// Sends `buf` as one message (a message cannot be sent in part), retrying on
// EINTR; MSG_NOSIGNAL: a peer gone is EPIPE, not SIGPIPE.  Throws ipc::Error
// (TimedOut after SO_SNDTIMEO).
inline void send_message(int fd, std::span<const std::byte> buf) {
  const ssize_t r = sys::send(fd, buf.data(), buf.size(), MSG_NOSIGNAL);
  if (r == static_cast<ssize_t>(buf.size())) [[likely]]
    return;
  datagram_detail::finish_send(fd, buf, r);
}

// Receives one message into `buf`; returns its full length, which exceeds
// buf.size() when it did not fit (MSG_TRUNC), so an oversized reply is seen
// as such.  0: an empty message, or (seqpacket) the peer closed.  Throws
// ipc::Error (TimedOut after SO_RCVTIMEO).
inline std::size_t receive_message(int fd, std::span<std::byte> buf) {
  const ssize_t r = sys::recv(fd, buf.data(), buf.size(), MSG_TRUNC);
  if (r >= 0) [[likely]]
    return static_cast<std::size_t>(r);
  return datagram_detail::finish_receive(fd, buf, r);
}

struct DatagramLink {
  int fd;
  const char* empty;  // what an empty reply means, for the error

  void send(std::span<const std::byte> ping, std::uint64_t /*seq*/) { send_message(fd, ping); }
  Reply receive(std::span<std::byte> buffer, std::uint64_t /*seq*/) {
    const std::size_t received = receive_message(fd, buffer);
    if (received == 0) [[unlikely]]
      throw Error(empty);
    return {buffer.first(received < buffer.size() ? received : buffer.size()), received};
  }
};

// The consumer's side once READY is sent: echoes every message (at most
// `payload` bytes of it) until an empty one, the stop.  Throws ipc::Error.
void echo_messages(int fd, std::size_t payload);
// The same for a fan-out's consumer (--stamp): each message of at least
// kFanoutMinPayload bytes echoed with its delivery stamp (ipc/fanout.hpp),
// read on `clock`.
void echo_stamped_messages(int fd, std::size_t payload, const TickClock& clock);

}  // namespace ipc

#include "ipc/datagram.hpp"

#include <algorithm>
#include <cerrno>
#include <vector>

#include "ipc/fanout.hpp"
#include "ipc/io.hpp"

namespace ipc::datagram_detail {

void finish_send(int fd, std::span<const std::byte> buf, ssize_t r) {
  while (r < 0 && errno == EINTR) r = sys::send(fd, buf.data(), buf.size(), MSG_NOSIGNAL);
  if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) throw TimedOut(true);
  if (r < 0) throw_errno("send");
  if (static_cast<std::size_t>(r) != buf.size()) throw Error("send: message truncated");
}

std::size_t finish_receive(int fd, std::span<std::byte> buf, ssize_t r) {
  while (r < 0 && errno == EINTR) r = sys::recv(fd, buf.data(), buf.size(), MSG_TRUNC);
  if (r >= 0) return static_cast<std::size_t>(r);
  if (errno == EAGAIN || errno == EWOULDBLOCK) throw TimedOut(false);
  throw_errno("recv");
}

}  // namespace ipc::datagram_detail

namespace ipc {

namespace {

template <bool kStamped>
void echo(int fd, std::size_t payload, const TickClock* clock) {
  std::vector<std::byte> buf(payload);
  for (;;) {
    const std::size_t received = receive_message(fd, buf);
    if (received == 0) return;
    if constexpr (kStamped) {
      if (received >= kFanoutMinPayload) stamp_delivery(*clock, buf);
    }
    send_message(fd, std::span(buf).first(std::min(received, buf.size())));
  }
}

}  // namespace

void echo_messages(int fd, std::size_t payload) { echo<false>(fd, payload, nullptr); }

void echo_stamped_messages(int fd, std::size_t payload, const TickClock& clock) { echo<true>(fd, payload, &clock); }

}  // namespace ipc

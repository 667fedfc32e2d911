#include "ipc/message.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "ipc/error.hpp"

namespace ipc {

Message::Message(std::size_t size, Check check)
    : ping_(size),
      pong_(size),
      seq_bytes_(std::min<std::size_t>(size, sizeof(std::uint64_t))),
      tail_(size >= 2 * sizeof(std::uint64_t)),
      body_words_(std::max<std::size_t>((size > 16 ? size - 16 : 0) / 8, 1)),
      check_(check) {
  for (std::size_t i = seq_bytes_; i < size; ++i) ping_[i] = filler_byte(i);
}

std::uint64_t Message::sequence_of(std::span<const std::byte> msg) const noexcept {
  std::uint64_t seq = 0;
  std::memcpy(&seq, msg.data(), std::min(seq_bytes_, msg.size()));
  return seq;
}

std::string Message::describe_mismatch(std::span<const std::byte> reply, std::size_t received) const {
  if (received != ping_.size())
    return fmt::format("reply of {} bytes, expected {}", received, ping_.size());
  const std::uint64_t expected_seq = sequence_of(ping_);
  const std::uint64_t got_seq = sequence_of(reply);
  if (got_seq != expected_seq) {
    return fmt::format("reply carries sequence {}, expected {} ({})", got_seq, expected_seq,
                       got_seq < expected_seq ? "stale or duplicated" : "ahead of the ping");
  }
  const auto [ours, theirs] = std::mismatch(ping_.begin(), ping_.end(), reply.begin());
  const auto offset = static_cast<std::size_t>(ours - ping_.begin());
  return fmt::format("reply corrupted at byte {} (0x{:02x}, expected 0x{:02x})", offset,
                     static_cast<unsigned>(*theirs), static_cast<unsigned>(*ours));
}

void Message::fail(std::span<const std::byte> reply, std::size_t received) const {
  throw Error(describe_mismatch(reply, received));
}

}  // namespace ipc

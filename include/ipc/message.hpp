#pragma once
// The ping and the pong every transport carries (docs/protocol.md).
//
// A ping is `size` bytes: the round trip's sequence number, little-endian, in
// the first min(size, 8) bytes, then a fixed filler pattern.  The consumer
// echoes the ping unchanged, so the expected pong is the ping itself and one
// memcmp checks both the sequence (a stale, lost or duplicated reply) and the
// content (a corrupted one).
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

namespace ipc {

static_assert(std::endian::native == std::endian::little, "the wire format is little-endian");

class Message {
 public:
  explicit Message(std::size_t size);

  // Writes `seq` into the ping.  Sequence numbers start at 1.
  // On a little-endian machine the low bytes of `seq` come first in memory.
  void stamp(std::uint64_t seq) noexcept { std::memcpy(ping_.data(), &seq, seq_bytes_); }

  [[nodiscard]] std::span<const std::byte> ping() const noexcept { return ping_; }
  [[nodiscard]] std::span<std::byte> pong() noexcept { return pong_; }
  [[nodiscard]] std::size_t size() const noexcept { return ping_.size(); }

  // Checks `reply` against the current ping; throws ipc::Error saying what
  // was wrong.  `received` is how many bytes arrived.
  void verify(std::span<const std::byte> reply, std::size_t received) const {
    if (received != ping_.size() || std::memcmp(reply.data(), ping_.data(), ping_.size()) != 0)
        [[unlikely]] {
      fail(reply, received);
    }
  }
  void verify() const { verify(pong_, pong_.size()); }

  // The sequence number a message carries (as many bytes of it as fit).
  [[nodiscard]] std::uint64_t sequence_of(std::span<const std::byte> msg) const noexcept;

  // How `reply` differs from the current ping.
  [[nodiscard]] std::string describe_mismatch(std::span<const std::byte> reply, std::size_t received) const;

 private:
  [[noreturn]] void fail(std::span<const std::byte> reply, std::size_t received) const;

  std::vector<std::byte> ping_;
  std::vector<std::byte> pong_;
  std::size_t seq_bytes_;
};

// The filler byte at `offset` (>= 8) of every ping.
constexpr std::byte filler_byte(std::size_t offset) noexcept {
  return static_cast<std::byte>((offset * 131 + 17) & 0xff);
}

}  // namespace ipc

#pragma once
// The ping and the pong every transport carries (docs/protocol.md, section 2).
//
// A ping is `size` bytes: the round trip's sequence number, little-endian, in
// the first min(size, 8) bytes; when size >= 16 the same 8 bytes again in the
// last 8; a fixed filler pattern in between.  The consumer echoes the ping
// unchanged, so the expected pong is the ping itself.
//
// How a pong is checked (Check):
//  - full: one memcmp of the whole pong.  Catches every stale, duplicated,
//    short, shifted or corrupted reply.
//  - sampled (the default): the length, and a memcmp of the whole pong up to
//    kFullCheckBytes; above, the sequence at both ends plus one 8-byte word
//    of the filler that moves on by 8 bytes every round trip.  A stale,
//    duplicated, short or torn reply is still always caught (both ends carry
//    the sequence); a corruption inside the filler is caught when it
//    persists (every word is visited once per (size - 16) / 8 round trips) or
//    lands on the word checked.  It keeps a 1 MiB pong from paying a 1 MiB
//    memcmp that the mechanism itself does not do.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

namespace ipc {

static_assert(std::endian::native == std::endian::little, "the wire format is little-endian");

enum class Check { sampled, full };

class Message {
 public:
  // Up to this many bytes (bytes), a sampled check compares the whole pong anyway.
  static constexpr std::size_t kFullCheckBytes = 256;

  explicit Message(std::size_t size, Check check = Check::sampled);

  // Writes `seq` into the ping (both ends when size >= 16).  Sequence numbers start at 1.
  void stamp(std::uint64_t seq) noexcept {
    std::memcpy(ping_.data(), &seq, seq_bytes_);
    if (tail_) std::memcpy(ping_.data() + ping_.size() - sizeof seq, &seq, sizeof seq);
  }

  [[nodiscard]] std::span<const std::byte> ping() const noexcept { return ping_; }
  [[nodiscard]] std::span<std::byte> pong() noexcept { return pong_; }
  [[nodiscard]] std::size_t size() const noexcept { return ping_.size(); }
  [[nodiscard]] Check check() const noexcept { return check_; }

  // Checks `reply` against the current ping (stamped with `seq`) as `check()`
  // says; throws ipc::Error saying what was wrong.  `received` is how many
  // bytes arrived (reply.size() may be smaller when a datagram was truncated).
  void verify(std::span<const std::byte> reply, std::size_t received, std::uint64_t seq) const {
    const std::size_t n = ping_.size();
    if (received != n) [[unlikely]]
      fail(reply, received);
    if (check_ == Check::full || n <= kFullCheckBytes) {
      if (std::memcmp(reply.data(), ping_.data(), n) != 0) [[unlikely]]
        fail(reply, received);
      return;
    }
    const std::size_t word = 8 + 8 * (seq % body_words_);
    if (std::memcmp(reply.data(), ping_.data(), 8) != 0 || std::memcmp(reply.data() + n - 8, ping_.data() + n - 8, 8) != 0 ||
        std::memcmp(reply.data() + word, ping_.data() + word, 8) != 0) [[unlikely]]
      fail(reply, received);
  }
  // The whole pong, whatever check() says (tests, and the sequence-free callers).
  void verify(std::span<const std::byte> reply, std::size_t received) const {
    if (received != ping_.size() || std::memcmp(reply.data(), ping_.data(), ping_.size()) != 0) [[unlikely]]
      fail(reply, received);
  }

  // The sequence number a message carries (as many bytes of it as fit).
  [[nodiscard]] std::uint64_t sequence_of(std::span<const std::byte> msg) const noexcept;

  // How `reply` differs from the current ping.
  [[nodiscard]] std::string describe_mismatch(std::span<const std::byte> reply, std::size_t received) const;

 private:
  [[noreturn]] void fail(std::span<const std::byte> reply, std::size_t received) const;

  std::vector<std::byte> ping_;
  std::vector<std::byte> pong_;
  std::size_t seq_bytes_;
  bool tail_;                  // size >= 16: the sequence again in the last 8 bytes
  std::size_t body_words_;     // 8-byte words between the two sequences (at least 1)
  Check check_;
};

// The filler byte at `offset` (>= 8) of every ping.
constexpr std::byte filler_byte(std::size_t offset) noexcept {
  return static_cast<std::byte>((offset * 131 + 17) & 0xff);
}

}  // namespace ipc

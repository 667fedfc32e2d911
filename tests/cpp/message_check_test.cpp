// What the default (sampled) and the full check of a pong catch
// (ipc/message.hpp, docs/protocol.md section 5).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "ipc/error.hpp"
#include "ipc/message.hpp"

namespace ipc {
namespace {

std::vector<std::byte> echo_of(const Message& message) { return {message.ping().begin(), message.ping().end()}; }

TEST(MessageCheck, PingOfSixteenBytesOrMoreCarriesTheSequenceAtBothEnds) {
  Message message(4096);
  message.stamp(0x0102030405060708ULL);
  const auto ping = message.ping();
  std::uint64_t head = 0, tail = 0;
  std::memcpy(&head, ping.data(), 8);
  std::memcpy(&tail, ping.data() + 4096 - 8, 8);
  EXPECT_EQ(head, 0x0102030405060708ULL);
  EXPECT_EQ(tail, 0x0102030405060708ULL);
  EXPECT_EQ(ping[8], filler_byte(8));
  EXPECT_EQ(ping[4096 - 9], filler_byte(4096 - 9));
}

TEST(MessageCheck, FifteenBytesHaveNoTailSequence) {
  Message message(15);
  message.stamp(7);
  EXPECT_EQ(message.ping()[14], filler_byte(14));
}

TEST(MessageCheck, SampledCatchesAStaleReplyByItsHead) {
  Message message(4096);
  message.stamp(5);
  const auto stale = echo_of(message);
  message.stamp(6);
  EXPECT_THROW(message.verify(stale, stale.size(), 6), Error);
}

TEST(MessageCheck, SampledCatchesATornReplyByItsTail) {
  Message message(4096);
  message.stamp(5);
  auto torn = echo_of(message);
  message.stamp(6);
  std::memcpy(torn.data(), message.ping().data(), 8);  // new head, old tail
  EXPECT_THROW(message.verify(torn, torn.size(), 6), Error);
}

TEST(MessageCheck, SampledCatchesAShortReply) {
  Message message(4096);
  message.stamp(1);
  const auto reply = echo_of(message);
  EXPECT_THROW(message.verify(reply, reply.size() - 1, 1), Error);
}

TEST(MessageCheck, UpTo256BytesSampledComparesEveryByte) {
  Message message(Message::kFullCheckBytes);
  message.stamp(1);
  auto reply = echo_of(message);
  reply[100] ^= std::byte{1};
  EXPECT_THROW(message.verify(reply, reply.size(), 1), Error);
}

TEST(MessageCheck, SampledMissesAOneOffCorruptionOffTheCheckedWordButFullCatchesIt) {
  constexpr std::size_t kSize = 4096;
  Message sampled(kSize), full(kSize, Check::full);
  sampled.stamp(1);
  full.stamp(1);
  auto reply = echo_of(sampled);
  // Round trip 1 checks the word at 8 + 8 * (1 % 510) = 16: byte 1000 is elsewhere.
  reply[1000] ^= std::byte{1};
  EXPECT_NO_THROW(sampled.verify(reply, reply.size(), 1));
  EXPECT_THROW(full.verify(reply, reply.size(), 1), Error);
}

TEST(MessageCheck, SampledCatchesAPersistentCorruptionWithinOneSweepOfTheBody) {
  constexpr std::size_t kSize = 4096;
  constexpr std::uint64_t kBodyWords = (kSize - 16) / 8;  // 510
  Message message(kSize);
  std::uint64_t caught_at = 0;
  for (std::uint64_t seq = 1; seq <= kBodyWords && caught_at == 0; ++seq) {
    message.stamp(seq);
    auto reply = echo_of(message);
    reply[1000] ^= std::byte{1};  // the consumer always damages byte 1000
    try {
      message.verify(reply, reply.size(), seq);
    } catch (const Error&) {
      caught_at = seq;
    }
  }
  // Byte 1000 is in the word at 1000 - 1000 % 8 = 1000, checked when 8 + 8 * (seq % 510) = 1000.
  EXPECT_EQ(caught_at, 124u);
}

}  // namespace
}  // namespace ipc

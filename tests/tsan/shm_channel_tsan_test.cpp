// ThreadSanitizer over the shared-memory channel protocol of shm_spin,
// mmap_file and eventfd (include/ipc/shm_channel.hpp): the same code as the
// two processes run, here as two threads of one process, where TSan can see
// both sides.  A missing acquire or release, or a payload touched outside the
// publish/await hand-off, is reported as a data race and fails the test.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "ipc/shm_channel.hpp"

namespace ipc::shm {
namespace {

void ping_pong(std::size_t payload, std::uint64_t round_trips) {
  const Layout layout{payload};
  auto memory = std::make_unique<std::byte[]>(layout.total() + kLinePair);
  auto* base = reinterpret_cast<std::byte*>((reinterpret_cast<std::uintptr_t>(memory.get()) + kLinePair - 1) /
                                            kLinePair * kLinePair);
  std::memset(base, 0, layout.total());
  const Channels<std::uint64_t> channels(base, layout);

  // The consumer: the serve loop of shm_spin.
  std::thread consumer([&] {
    for (std::uint64_t seq = 1;; ++seq) {
      const std::uint64_t got = channels.ping.await_change(seq - 1);
      if (got == kStop) return;
      ASSERT_EQ(got, seq);
      std::memcpy(channels.pong.data(), channels.ping.data(), payload);
      channels.pong.publish(seq);
    }
  });

  // The producer: the timed loop of shm_spin, checking every pong.
  std::vector<std::byte> ping(payload);
  for (std::uint64_t seq = 1; seq <= round_trips; ++seq) {
    for (std::size_t i = 0; i < payload; ++i) ping[i] = static_cast<std::byte>(seq * 31 + i);
    std::memcpy(channels.ping.data(), ping.data(), payload);
    channels.ping.publish(seq);
    ASSERT_EQ(channels.pong.await_change(seq - 1), seq);
    ASSERT_EQ(std::memcmp(channels.pong.data(), ping.data(), payload), 0) << "round trip " << seq;
  }
  channels.ping.publish(kStop);
  consumer.join();
}

TEST(ShmChannelTsan, SmallPayloadInTheSequenceLine) { ping_pong(4, 20'000); }
TEST(ShmChannelTsan, PayloadOverManyLines) { ping_pong(4096, 5'000); }

}  // namespace
}  // namespace ipc::shm

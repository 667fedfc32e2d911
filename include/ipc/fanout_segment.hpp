#pragma once
// FanoutSegment: the shared memory of a fan-out whose receivers all map one
// segment (shm_spin's N spinners, shm_futex's N waiters): one ping channel
// that every receiver reads, and a pong slot per receiver.
//
//   [0, 128)                     header: FanoutHeader, then from byte 64 the
//                                mechanism's words (shm_futex's answer count)
//   [128, 128 + C)               ping channel: sequence word, then payload
//   [128 + (1 + i) C, + C)       receiver i's pong slot: sequence word, payload
//
// C = 8 + payload rounded up to 128, as in ipc/shm_channel.hpp.  Why each
// region has a 128-byte pair of cache lines of its own:
//  - the ping is written by one core and read by N: each receiver takes a
//    shared copy of its line, and the producer's next write invalidates
//    them all at once; nothing else lives there to invalidate them between
//    two pings;
//  - every pong slot is written by one receiver only.  Slots that shared a
//    line would bounce it between the receivers' cores on every answer
//    (false sharing), so that receiver k's answer waited on receiver j's;
//    apart, the N answers travel in parallel and the producer reads each
//    line once;
//  - pairs, not single lines, because the L2 spatial prefetcher fetches
//    lines in pairs: a neighbour's line would come along with each read.
// The header's first line is written only during the handshake; its second
// line holds what every receiver writes once per ping (shm_futex's count).
#include <fmt/format.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "ipc/error.hpp"
#include "ipc/shared_memory.hpp"
#include "ipc/shm_channel.hpp"

namespace ipc::shm {

// The most receivers: one bit each in FanoutHeader::ready.
inline constexpr std::size_t kMaxReceivers = 64;
// Where the mechanism's own words start in the header (bytes).
inline constexpr std::size_t kFanoutWordsOffset = 64;

struct FanoutHeader {
  std::uint64_t ready;      // bit i set once receiver i has the segment mapped
  std::uint64_t payload;    // the size the producer set up, checked by each receiver
  std::uint64_t receivers;  // how many pong slots follow the ping
};

template <class Word>
class FanoutSegment {
 public:
  // The producer's end: a new POSIX shared-memory object, zero-filled.
  // Throws ipc::Error beyond kMaxReceivers or when it cannot be made.
  static FanoutSegment create(std::size_t payload, std::size_t receivers) {
    if (receivers == 0 || receivers > kMaxReceivers)
      throw Error(fmt::format("a fan-out segment holds 1 to {} receivers, not {}", kMaxReceivers, receivers));
    const Layout layout{payload};
    FanoutSegment segment(SharedMemory::create(total(layout, receivers)), layout);
    // Written before any receiver exists: its spawn orders these stores
    // before anything it reads, so plain stores are enough.
    segment.header()->payload = payload;
    segment.header()->receivers = receivers;
    return segment;
  }

  // Receiver `receiver`'s end: maps what the producer created, refused when
  // set up for another payload or another number of receivers.
  static FanoutSegment open(const std::string& name, std::size_t payload, std::size_t receivers, std::size_t receiver) {
    if (receivers == 0 || receivers > kMaxReceivers || receiver >= receivers)
      throw Error(fmt::format("receiver {} of {}: not a receiver of a fan-out to 1..{}", receiver, receivers,
                              kMaxReceivers));
    const Layout layout{payload};
    FanoutSegment segment(SharedMemory::open(name, total(layout, receivers)), layout);
    const FanoutHeader& h = *segment.header();
    if (h.payload != payload || h.receivers != receivers)
      throw Error(fmt::format("segment {} was set up for {} receivers of {}-byte payloads, not {} of {}", name,
                              h.receivers, h.payload, receivers, payload));
    return segment;
  }

  [[nodiscard]] Channel<Word> ping() const noexcept { return Channel<Word>(base() + kLinePair); }
  [[nodiscard]] Channel<Word> pong(std::size_t i) const noexcept {
    return Channel<Word>(base() + kLinePair + (1 + i) * layout_.channel_size());
  }
  // The 32-bit word `k` of the mechanism's words in the header.
  [[nodiscard]] std::uint32_t* word(std::size_t k) const noexcept {
    return reinterpret_cast<std::uint32_t*>(base() + kFanoutWordsOffset) + k;
  }

  // release: pairs with the producer's acquire in ready().
  void set_ready(std::size_t receiver) const noexcept {
    std::atomic_ref(header()->ready).fetch_or(std::uint64_t{1} << receiver, std::memory_order_release);
  }
  [[nodiscard]] bool ready(std::size_t receiver) const noexcept {
    return (std::atomic_ref(header()->ready).load(std::memory_order_acquire) >> receiver & 1) != 0;
  }

  [[nodiscard]] const std::string& name() const noexcept { return memory_.name(); }
  // Every receiver has it mapped: the name has no further use.  Idempotent.
  void unlink() noexcept { memory_.unlink(); }

 private:
  FanoutSegment(SharedMemory memory, const Layout& layout) noexcept : memory_(std::move(memory)), layout_(layout) {}

  static std::size_t total(const Layout& layout, std::size_t receivers) noexcept {
    return kLinePair + (1 + receivers) * layout.channel_size();
  }
  [[nodiscard]] std::byte* base() const noexcept { return memory_.data(); }
  [[nodiscard]] FanoutHeader* header() const noexcept { return reinterpret_cast<FanoutHeader*>(base()); }

  SharedMemory memory_;
  Layout layout_;
};

}  // namespace ipc::shm

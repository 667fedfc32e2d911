#pragma once
// The segment layout shared by the transports that carry the payload in
// shared memory (shm_spin, shm_yield, shm_futex, shm_hybrid, shm_sem,
// eventfd, mmap_file): a header, then a
// ping channel and a pong channel, each a sequence word followed by the
// payload.  docs/protocol.md gives the byte offsets; the transports differ
// only in how a side waits for the other's sequence word to change.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "ipc/cpu_relax.hpp"

namespace ipc::shm {

// Segment layout.  Every region starts on its own 128-byte boundary, two
// cache lines, because the L2 spatial prefetcher fetches lines in pairs: the
// ping and the pong never share a line (or a line pair), so each side only
// ever pulls the line the other side just wrote.
//
//   [0, 128)               Header
//   [128, 128 + C)         ping channel: sequence word, then payload
//   [128 + C, 128 + 2C)    pong channel: sequence word, then payload
//
// C = 8 + payload rounded up to 128.  A payload of up to 56 bytes travels in
// the same cache line as its sequence number: one line transfer per message.
// The payload starts 8 bytes into its channel whatever the width of the
// sequence word (64 bits, or 32 for a futex), so it is 8-byte aligned and
// the layout is the same for every transport.
//
// The fields are plain integers accessed through std::atomic_ref: the two
// processes share the bytes, not C++ objects.
constexpr std::size_t kLinePair = 128;
constexpr std::size_t kPayloadOffset = sizeof(std::uint64_t);

// Reserved values of a 64-bit sequence word.
constexpr std::uint64_t kStop = std::numeric_limits<std::uint64_t>::max();             // ping: consumer exits
constexpr std::uint64_t kInterrupted = std::numeric_limits<std::uint64_t>::max() - 1;  // pong: set by our watchdog

struct Layout {
  std::size_t payload;
  [[nodiscard]] std::size_t channel_size() const noexcept {
    return (kPayloadOffset + payload + kLinePair - 1) / kLinePair * kLinePair;
  }
  [[nodiscard]] std::size_t total() const noexcept { return kLinePair + 2 * channel_size(); }
};

struct Header {
  std::uint64_t consumer_ready;  // 0, then 1 once the consumer has the segment mapped
  std::uint64_t payload;         // the size the producer set up, checked by the consumer
};

// One direction: the sequence word at the start of the channel, the payload
// kPayloadOffset bytes in.  Word is std::uint64_t, or std::uint32_t where
// the word doubles as a futex.
template <class Word>
class Channel {
 public:
  using AtomicSeq = std::atomic_ref<Word>;
  static_assert(AtomicSeq::is_always_lock_free, "sequence words must be lock-free to work across processes");
  static_assert(sizeof(Word) <= kPayloadOffset);

  explicit Channel(std::byte* base) noexcept : base_(base) {}
  [[nodiscard]] Word* word() const noexcept { return reinterpret_cast<Word*>(base_); }
  [[nodiscard]] AtomicSeq seq() const noexcept { return AtomicSeq(*word()); }
  [[nodiscard]] std::byte* data() const noexcept { return base_ + kPayloadOffset; }

  // acquire: pairs with the peer's release store, so its payload is visible.
  [[nodiscard]] Word load() const noexcept { return seq().load(std::memory_order_acquire); }

  // Polls while the sequence still holds `previous`, calling `between()`
  // between two polls (a spin-wait hint, sched_yield); returns what replaced it.
  template <class Between>
  [[nodiscard]] Word await_change(Word previous, Between between) const noexcept {
    const AtomicSeq flag = seq();
    Word value;
    // acquire: pairs with the peer's release store, so its payload is visible.
    while ((value = flag.load(std::memory_order_acquire)) == previous) between();
    return value;
  }
  // Spins while the sequence still holds `previous`; returns what replaced it.
  [[nodiscard]] Word await_change(Word previous) const noexcept {
    return await_change(previous, [] { cpu_relax(); });
  }

  // release: the payload written before must be visible to whoever sees `value`.
  void publish(Word value) const noexcept { seq().store(value, std::memory_order_release); }

 private:
  std::byte* base_;
};

template <class Word>
struct Channels {
  Header* header;
  Channel<Word> ping, pong;
  Channels(std::byte* base, const Layout& layout) noexcept
      : header(reinterpret_cast<Header*>(base)),
        ping(base + kLinePair),
        pong(base + kLinePair + layout.channel_size()) {}
};

}  // namespace ipc::shm

#include "ipc/transport/shm_futex.hpp"

#include <fmt/format.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "ipc/consumer.hpp"
#include "ipc/message.hpp"
#include "ipc/shared_memory.hpp"
#include "ipc/shm_channel.hpp"

namespace ipc::shm_futex {
namespace {

// The segment is laid out like shm_spin's (ipc/shm_channel.hpp), but a
// futex is exactly 32 bits: the kernel compares and sleeps on a 32-bit word,
// and a 64-bit sequence cannot be waited on as a whole (waiting on its low
// half would mix access sizes on one object).  So each channel's sequence
// word is a std::uint32_t in the first 4 bytes of its 8-byte slot; bytes 4
// to 7 stay zero and the payload still starts 8 bytes in, 8-byte aligned.
// The word is 4-byte aligned, as futex(2) requires, since every channel
// starts on a 128-byte boundary.
//
// The word holds the low 31 bits of the round trip's sequence number.
// Values with the top bit set are control words, so no sequence word can
// ever equal one however long a run lasts, and two consecutive words always
// differ.  That matters beyond tidiness: FUTEX_WAIT(previous) sleeps if the
// word holds `previous` when the kernel looks, so a new value equal to the
// old one would be a wake-up lost for good.  The full 64-bit sequence still
// travels in the payload, and Message::verify checks it.
constexpr std::uint32_t kSequenceMask = 0x7fff'ffff;
constexpr std::uint32_t kStop = 0xffff'ffff;         // ping: consumer exits
constexpr std::uint32_t kInterrupted = 0xffff'fffe;  // pong: set by our watchdog

constexpr std::uint32_t word_of(std::uint64_t seq) noexcept {
  return static_cast<std::uint32_t>(seq) & kSequenceMask;
}

using shm::Layout;
using Channel = shm::Channel<std::uint32_t>;
using Channels = shm::Channels<std::uint32_t>;

// FUTEX_WAIT and FUTEX_WAKE without FUTEX_PRIVATE_FLAG: a private futex is
// keyed on (this process's mm, address) and only meets waiters of the same
// process; a shared one is keyed on the mapped object and offset, which the
// producer's and the consumer's mappings of the segment have in common.
long futex(std::uint32_t* word, int op, std::uint32_t value) noexcept {
  return ::syscall(SYS_futex, word, op, value, nullptr, nullptr, 0);
}

// Release-stores `word` (the payload written before is visible to whoever
// sees it), then wakes the peer if it sleeps on the channel.  The wake is
// unconditional: in a strict ping-pong the peer has nearly always gone to
// sleep by the time the next message comes (on one CPU it must have, to let
// us run), so a "waiters" flag to skip it would save nothing and would need
// a sequentially consistent handshake of its own on both sides.
void publish(const Channel& channel, std::uint32_t word) noexcept {
  channel.publish(word);
  futex(channel.word(), FUTEX_WAKE, 1);
}

// Sleeps while the channel's word still holds `previous`; returns what
// replaced it.  The kernel checks the word again under the futex's lock
// before it sleeps, so a publish() between our load and FUTEX_WAIT is not
// missed: the wait returns EAGAIN at once.  No spin before sleeping: at
// placement `same` a spin only burns the time slice the peer needs in order
// to answer, and at `split` the peer has to be woken itself, so its answer
// comes long after any short spin would have given up.  shm_spin is the
// transport that spins.
std::uint32_t await_change(const Channel& channel, std::uint32_t previous) {
  for (;;) {
    const std::uint32_t value = channel.load();  // acquire: pairs with publish()
    if (value != previous) return value;
    if (futex(channel.word(), FUTEX_WAIT, previous) != 0 && errno != EAGAIN && errno != EINTR)
      throw_errno("futex wait");
  }
}

class ShmFutexRunner final : public Runner {
 public:
  explicit ShmFutexRunner(const RunnerOptions& options)
      : layout_{options.payload},
        segment_(SharedMemory::create(layout_.total())),
        channels_(segment_.data(), layout_),
        message_(options.payload),
        consumer_(init_and_spawn_options(options), options.timeout) {
    const auto ready = std::atomic_ref(channels_.header->consumer_ready);
    consumer_.await([&] { return ready.load(std::memory_order_acquire) == 1; },
                    "the consumer to map the shared memory");
    segment_.unlink();  // both sides have it mapped: the name has no further use
    // The consumer is dead when this runs: nobody else writes the pong
    // channel.  publish() stores the sentinel and wakes our FUTEX_WAIT.
    consumer_.arm([pong = channels_.pong] { publish(pong, kInterrupted); });
  }

  void round_trips(std::uint64_t count) override {
    consumer_.timed([&] {
      const std::size_t size = message_.size();
      for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint64_t seq = ++seq_;
        const std::uint32_t word = word_of(seq);
        message_.stamp(seq);
        std::memcpy(channels_.ping.data(), message_.ping().data(), size);
        publish(channels_.ping, word);
        const std::uint32_t answered = await_change(channels_.pong, word_of(seq - 1));
        if (answered != word) [[unlikely]]
          throw Error(describe_bad_word(answered, word));
        message_.verify(std::span(channels_.pong.data(), size), size);
        consumer_.progress(seq);
      }
    });
  }

  void finish() override {
    consumer_.finish([&] { publish(channels_.ping, kStop); });
  }

  [[nodiscard]] pid_t consumer_pid() const noexcept override { return consumer_.pid(); }

 private:
  SpawnOptions init_and_spawn_options(const RunnerOptions& options) {
    channels_.header->payload = options.payload;
    return {options.consumer_path, {"--name", segment_.name(), "--payload", std::to_string(options.payload)}, {},
            options.consumer_cpu};
  }

  static std::string describe_bad_word(std::uint32_t answered, std::uint32_t expected) {
    if (answered == kInterrupted) return "no pong";
    return fmt::format("pong channel holds sequence word {}, expected {}", answered, expected);
  }

  Layout layout_;
  SharedMemory segment_;
  Channels channels_;
  Message message_;
  std::uint64_t seq_ = 0;
  Consumer consumer_;  // last: stopped and reaped before the segment is unmapped
};

}  // namespace

std::unique_ptr<Runner> start(const RunnerOptions& options) { return std::make_unique<ShmFutexRunner>(options); }

int serve(const std::string& name, std::size_t payload) {
  const Layout layout{payload};
  const SharedMemory segment = SharedMemory::open(name, layout.total());
  const Channels channels(segment.data(), layout);
  if (channels.header->payload != payload)
    throw Error(fmt::format("segment {} was set up for {}-byte payloads, not {}", name, channels.header->payload, payload));
  std::atomic_ref(channels.header->consumer_ready).store(1, std::memory_order_release);
  for (std::uint64_t seq = 1;; ++seq) {
    const std::uint32_t got = await_change(channels.ping, word_of(seq - 1));
    if (got == kStop) return 0;
    if (got != word_of(seq)) throw Error(fmt::format("ping sequence word {}, expected {}", got, word_of(seq)));
    std::memcpy(channels.pong.data(), channels.ping.data(), payload);
    publish(channels.pong, word_of(seq));
  }
}

}  // namespace ipc::shm_futex

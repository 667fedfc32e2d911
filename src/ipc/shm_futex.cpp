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
#include "ipc/round_trip_loop.hpp"
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

// The waiter's announcement: a 32-bit word in bytes 4..7 of the channel's
// slot, 1 while the side that waits on this channel is going to sleep or
// asleep.  A publisher calls FUTEX_WAKE only when it sees 1: in a ping-pong
// at placement `same` the peer has often not gone to sleep yet (measured
// 0.85 useless wakes per round trip when every publish woke), and each
// useless FUTEX_WAKE is a system call the mechanism does not need.
std::atomic_ref<std::uint32_t> sleeping_flag(const Channel& channel) noexcept {
  return std::atomic_ref<std::uint32_t>(channel.word()[1]);
}

// Stores `word`, then wakes the peer if it announced that it sleeps.  The
// store and the load of the flag are sequentially consistent, as are the
// waiter's store of the flag and its load of the word (await_change): of
// the two stores, one comes first in the single total order, so either the
// waiter sees the new word and does not sleep, or we see its flag and wake
// it (the eventcount pattern; Dekker's mutual exclusion in miniature).
// seq_cst also orders the payload written before, like a release store.
void publish(const Channel& channel, std::uint32_t word) noexcept {
  channel.seq().store(word, std::memory_order_seq_cst);
  if (sleeping_flag(channel).load(std::memory_order_seq_cst) != 0) futex(channel.word(), FUTEX_WAKE, 1);
}

// The watchdog's publish: the peer is dead, so its flag means nothing; wake
// whoever waits (ourselves) unconditionally.
void publish_and_wake(const Channel& channel, std::uint32_t word) noexcept {
  channel.seq().store(word, std::memory_order_seq_cst);
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
  const auto flag = sleeping_flag(channel);
  for (;;) {
    std::uint32_t value = channel.load();  // acquire: pairs with publish()
    if (value != previous) return value;
    flag.store(1, std::memory_order_seq_cst);
    value = channel.seq().load(std::memory_order_seq_cst);
    if (value == previous && futex(channel.word(), FUTEX_WAIT, previous) != 0 && errno != EAGAIN && errno != EINTR)
      throw_errno("futex wait");
    // relaxed: a publisher that still sees 1 only makes one wake too many.
    flag.store(0, std::memory_order_relaxed);
  }
}

// The producer's Link (ipc/round_trip_loop.hpp).
struct Link {
  const Channels& channels;

  void send(std::span<const std::byte> ping, std::uint64_t seq) noexcept {
    std::memcpy(channels.ping.data(), ping.data(), ping.size());
    publish(channels.ping, word_of(seq));
  }
  Reply receive(std::span<std::byte> buffer, std::uint64_t seq) const {
    const std::uint32_t answered = await_change(channels.pong, word_of(seq - 1));
    if (answered != word_of(seq)) [[unlikely]]
      fail(answered, word_of(seq));
    return {std::span<const std::byte>(channels.pong.data(), buffer.size()), buffer.size()};
  }
  [[noreturn]] static void fail(std::uint32_t answered, std::uint32_t expected) {
    if (answered == kInterrupted) throw Error("no pong");
    throw Error(fmt::format("pong channel holds sequence word {}, expected {}", answered, expected));
  }
};

class ShmFutexRunner final : public Runner {
 public:
  explicit ShmFutexRunner(const RunnerOptions& options)
      : layout_{options.payload},
        segment_(SharedMemory::create(layout_.total())),
        channels_(segment_.data(), layout_),
        message_(options.payload, options.check),
        consumer_(init_and_spawn_options(options), options.timeout) {
    const auto ready = std::atomic_ref(channels_.header->consumer_ready);
    consumer_.await([&] { return ready.load(std::memory_order_acquire) == 1; },
                    "the consumer to map the shared memory");
    segment_.unlink();  // both sides have it mapped: the name has no further use
    // The consumer is dead when this runs: nobody else writes the pong
    // channel.  publish() stores the sentinel and wakes our FUTEX_WAIT.
    consumer_.arm([pong = channels_.pong] { publish_and_wake(pong, kInterrupted); });
  }

  void run(Batch& batch) override {
    Link link{channels_};
    consumer_.run(link, message_, seq_, batch);
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

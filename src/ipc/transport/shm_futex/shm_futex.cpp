#include "ipc/transport/shm_futex/shm_futex.hpp"

#include <fmt/format.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <climits>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ipc/consumer.hpp"
#include "ipc/cpu_relax.hpp"
#include "ipc/fanout_segment.hpp"
#include "ipc/message.hpp"
#include "ipc/round_trip_loop.hpp"
#include "ipc/shared_fanout_runner.hpp"
#include "ipc/shm_segment.hpp"
#include "ipc/spawned_runner.hpp"

namespace ipc::transport::shm_futex {
namespace {

// The segment is laid out like shm_spin's (ipc/shm_segment.hpp), but a
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

using Channel = shm::Channel<std::uint32_t>;
using Channels = shm::Channels<std::uint32_t>;
using Segment32 = shm::MappedSegment<std::uint32_t>;

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

// shm_futex waits without spinning first: at placement `same` a spin only
// burns the time slice the peer needs in order to answer, and at `split` the
// peer has to be woken itself, so its answer comes long after any short spin
// would have given up.
struct NoSpin {
  std::uint32_t operator()(const Channel& /*channel*/, std::uint32_t previous) const noexcept { return previous; }
};

// shm_hybrid spins first, for at most kSpinBudget, and only while the peer
// last waited on another CPU than ours: a peer on our own CPU cannot answer
// while we spin, so the budget would be lost every time (at `same`, twice
// per round trip).  Each side keeps the CPU it waits on in a 32-bit hint in
// the header, written only when it changes (sched_getcpu() reads glibc's
// rseq area: no system call), so the header's cache line stays shared and
// quiet.  The hint is a heuristic: a stale one costs one spin too many or
// too few, never a lost wake-up, which the eventcount below rules out alone.
//
// The budget: 5 us.  At `split` the answer of a peer that spins arrives
// within one of its own round trips (shm_spin's: ~0.1 to 0.3 us at 4 B on the
// development VM, ~1 us at 4 KiB, copy and check included), so 5 us covers
// it with room for a VM's jitter; and it stays below what a futex sleep and
// wake-up costs at `split` (5 us on bare metal, 25 to 50 us on the VM), so a
// spin that fails costs at most about as much again as sleeping at once
// (the classic two-competitive bound).  Time, not a count of pause
// instructions, whose length ranges from ~10 to ~140 cycles across x86
// generations; read with clock_gettime (the vDSO, ~40 ns) every 8 polls.
constexpr std::chrono::nanoseconds kSpinBudget{5000};
constexpr std::uint32_t kUnknownCpu = 0xffff'ffff;

std::atomic_ref<std::uint32_t> cpu_hint(std::byte* header, bool producer) noexcept {
  // Bytes 16..19 (producer) and 20..23 (consumer) of the header, after
  // consumer_ready and payload; 4-byte aligned.
  return std::atomic_ref<std::uint32_t>(*reinterpret_cast<std::uint32_t*>(header + 16 + (producer ? 0 : 4)));
}

struct BoundedSpin {
  std::atomic_ref<std::uint32_t> own_cpu, peer_cpu;

  // Polls for up to kSpinBudget; returns the new word, or `previous` if
  // none came (or the peer shares our CPU).
  std::uint32_t operator()(const Channel& channel, std::uint32_t previous) const noexcept {
    const int cpu = ::sched_getcpu();
    const auto here = static_cast<std::uint32_t>(cpu);
    // relaxed: a hint, read by the peer only to decide whether to spin.
    if (cpu >= 0 && own_cpu.load(std::memory_order_relaxed) != here) own_cpu.store(here, std::memory_order_relaxed);
    if (cpu < 0 || peer_cpu.load(std::memory_order_relaxed) == here) return previous;
    const auto deadline = std::chrono::steady_clock::now() + kSpinBudget;
    for (unsigned polls = 1;; ++polls) {
      const std::uint32_t value = channel.load();  // acquire: pairs with publish()
      if (value != previous) return value;
      cpu_relax();
      if (polls % 8 == 0 && std::chrono::steady_clock::now() >= deadline) return previous;
    }
  }
};

// Sleeps while the channel's word still holds `previous` (after `spin` has
// polled it, if it does); returns what replaced it.  The kernel checks the
// word again under the futex's lock before it sleeps, so a publish() between
// our load and FUTEX_WAIT is not missed: the wait returns EAGAIN at once.
template <class Spin>
std::uint32_t await_change(const Channel& channel, std::uint32_t previous, const Spin& spin) {
  if (const std::uint32_t value = spin(channel, previous); value != previous) return value;
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
template <class Spin>
struct Link {
  const Channels& channels;
  Spin spin;

  void send(std::span<const std::byte> ping, std::uint64_t seq) noexcept {
    std::memcpy(channels.ping.data(), ping.data(), ping.size());
    publish(channels.ping, word_of(seq));
  }
  Reply receive(std::span<std::byte> buffer, std::uint64_t seq) const {
    const std::uint32_t answered = await_change(channels.pong, word_of(seq - 1), spin);
    if (answered != word_of(seq)) [[unlikely]]
      fail(answered, word_of(seq));
    return {std::span<const std::byte>(channels.pong.data(), buffer.size()), buffer.size()};
  }
  [[noreturn]] static void fail(std::uint32_t answered, std::uint32_t expected) {
    if (answered == kInterrupted) throw Error("no pong");
    throw Error(fmt::format("pong channel holds sequence word {}, expected {}", answered, expected));
  }
};

// The producer's end: the segment, both sides sleeping on 32-bit sequence
// words (shm_futex), after a bounded spin (shm_hybrid).
template <class Spin>
class Segment {
 public:
  explicit Segment(const RunnerOptions& options) : segment_(Segment32::create(options.payload)) {
    if constexpr (kHybrid) {
      cpu_hint(segment_.header(), true).store(kUnknownCpu, std::memory_order_relaxed);
      cpu_hint(segment_.header(), false).store(kUnknownCpu, std::memory_order_relaxed);
    }
  }

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    std::vector<std::string> arguments{"--name", segment_.memory().name(), "--payload", std::to_string(options.payload)};
    if constexpr (kHybrid) arguments.emplace_back("--hybrid");
    return {options.consumer_path, std::move(arguments), {}, options.consumer_cpu};
  }

  std::function<void()> hand_over(Consumer& consumer) {
    segment_.await_consumer(consumer);
    // The consumer is dead when this runs: nobody else writes the pong
    // channel.  publish() stores the sentinel and wakes our FUTEX_WAIT.
    return [pong = segment_.channels().pong] { publish_and_wake(pong, kInterrupted); };
  }

  Link<Spin> link() const { return {segment_.channels(), spin()}; }
  void stop() { publish(segment_.channels().ping, kStop); }

 private:
  static constexpr bool kHybrid = std::is_same_v<Spin, BoundedSpin>;

  [[nodiscard]] Spin spin() const noexcept {
    if constexpr (kHybrid) {
      return {cpu_hint(segment_.header(), true), cpu_hint(segment_.header(), false)};
    } else {
      return {};
    }
  }

  Segment32 segment_;
};

template <class Spin>
int serve_with(const Segment32& segment, const Spin& spin, std::size_t payload) {
  const Channels& channels = segment.channels();
  segment.set_ready();
  for (std::uint64_t seq = 1;; ++seq) {
    const std::uint32_t got = await_change(channels.ping, word_of(seq - 1), spin);
    if (got == kStop) return 0;
    if (got != word_of(seq)) throw Error(fmt::format("ping sequence word {}, expected {}", got, word_of(seq)));
    std::memcpy(channels.pong.data(), channels.ping.data(), payload);
    publish(channels.pong, word_of(seq));
  }
}

// Fan-out: one futex word, the ping's, that every receiver waits on; one
// FUTEX_WAKE of all of them per ping; each receiver answers in its own slot
// (ipc/fanout_segment.hpp) and counts its answer in one word, the last one
// waking the producer, which sleeps until all N have answered.
using FanSegment32 = shm::FanoutSegment<std::uint32_t>;

// The header's words (FanoutSegment::word): the answers to the current ping
// (the low byte; N <= 64) plus kInterruptUnit per receiver found dead; the
// producer's announcement that it sleeps on them (as sleeping_flag); then,
// 8-byte aligned, the watchdogs' mask of the receivers found dead.
constexpr std::size_t kAnswersWord = 0, kProducerSleepsWord = 1, kDeadMaskWord = 2;
constexpr std::uint32_t kAnswerCount = 0xff;
// Added to the answer word by a watchdog, so that the word changes under a
// producer about to sleep on it, whose FUTEX_WAIT then returns at once.
constexpr std::uint32_t kInterruptUnit = 0x100;

std::atomic_ref<std::uint32_t> header_word(const FanSegment32& segment, std::size_t k) noexcept {
  return std::atomic_ref<std::uint32_t>(*segment.word(k));
}
std::atomic_ref<std::uint64_t> dead_mask(const FanSegment32& segment) noexcept {
  return std::atomic_ref<std::uint64_t>(*reinterpret_cast<std::uint64_t*>(segment.word(kDeadMaskWord)));
}

// How many receivers are asleep on the ping word (bytes 4..7 of its slot).
// A count, not shm_futex's flag: with one flag, a receiver clearing it on
// waking could erase another's announcement, whose wake would then be lost.
std::atomic_ref<std::uint32_t> ping_sleepers(const Channel& ping) noexcept {
  return std::atomic_ref<std::uint32_t>(ping.word()[1]);
}

// The eventcount of await_change with N waiters: each counts itself in
// before its last look at the word (seq_cst, paired with publish_to_all).
std::uint32_t await_ping(const Channel& ping, std::uint32_t previous) {
  const auto sleepers = ping_sleepers(ping);
  for (;;) {
    std::uint32_t value = ping.load();  // acquire: pairs with publish_to_all()
    if (value != previous) return value;
    sleepers.fetch_add(1, std::memory_order_seq_cst);
    value = ping.seq().load(std::memory_order_seq_cst);
    const long r = value == previous ? futex(ping.word(), FUTEX_WAIT, previous) : 0;
    const int error = errno;
    // relaxed: a producer that still counts us only makes one wake too many.
    sleepers.fetch_sub(1, std::memory_order_relaxed);
    if (r != 0 && error != EAGAIN && error != EINTR) {
      errno = error;
      throw_errno("futex wait");
    }
  }
}

// Stores `word` and, if any receiver announced that it sleeps, wakes them
// all with one FUTEX_WAKE.
void publish_to_all(const Channel& ping, std::uint32_t word) noexcept {
  ping.seq().store(word, std::memory_order_seq_cst);
  if (ping_sleepers(ping).load(std::memory_order_seq_cst) != 0) futex(ping.word(), FUTEX_WAKE, INT_MAX);
}

class FutexFan {
 public:
  FutexFan(const RunnerOptions& options, std::size_t receivers)
      : segment_(FanSegment32::create(options.payload, receivers)), receivers_(static_cast<std::uint32_t>(receivers)) {}

  SpawnOptions spawn_options(const RunnerOptions& options, std::size_t i) const {
    return segment_receiver_spawn(options, segment_, i, receivers_);
  }

  std::function<void()> hand_over(Consumer& consumer, std::size_t i) {
    await_segment_mapped(consumer, segment_, i);
    // Receiver i is dead when this runs.  Its slot is left as it is: a
    // receiver whose watchdog trips first may well have answered.
    return [this, i] {
      dead_mask(segment_).fetch_or(std::uint64_t{1} << i, std::memory_order_seq_cst);
      header_word(segment_, kAnswersWord).fetch_add(kInterruptUnit, std::memory_order_seq_cst);
      futex(segment_.word(kAnswersWord), FUTEX_WAKE, 1);
    };
  }
  void handed_over() noexcept { segment_.unlink(); }

  void publish(std::span<const std::byte> ping, std::uint64_t seq) noexcept {
    // relaxed: ordered before the ping word's store, which no receiver
    // answers before it sees.
    header_word(segment_, kAnswersWord).store(0, std::memory_order_relaxed);
    const Channel channel = segment_.ping();
    std::memcpy(channel.data(), ping.data(), ping.size());
    publish_to_all(channel, word_of(seq));
  }

  // Receiver i's answer, asleep on the answer word until it is there: the
  // last receiver to answer wakes us, and so does a watchdog.  So receiver
  // 0's wait ends once all N have answered, and the others' find their
  // answers in place; receiver i found dead is "no pong".
  Reply collect(std::size_t i, std::span<std::byte> buffer, std::uint64_t seq) const {
    const Channel pong = segment_.pong(i);
    const auto answers = header_word(segment_, kAnswersWord);
    const auto sleeps = header_word(segment_, kProducerSleepsWord);
    for (;;) {
      const std::uint32_t seen = answers.load(std::memory_order_acquire);
      const std::uint32_t answered = pong.load();  // acquire: pairs with the receiver's publish
      if (answered == word_of(seq)) break;
      if ((dead_mask(segment_).load(std::memory_order_acquire) >> i & 1) != 0) throw Error("no pong");
      if (answered != word_of(seq - 1)) [[unlikely]]
        throw Error(fmt::format("pong slot holds sequence word {}, expected {}", answered, word_of(seq)));
      // The eventcount of await_change: the flag's store and the word's
      // load, seq_cst, against the last receiver's count and flag load.
      sleeps.store(1, std::memory_order_seq_cst);
      if (answers.load(std::memory_order_seq_cst) == seen &&
          futex(segment_.word(kAnswersWord), FUTEX_WAIT, seen) != 0 && errno != EAGAIN && errno != EINTR)
        throw_errno("futex wait");
      sleeps.store(0, std::memory_order_relaxed);
    }
    return {std::span<const std::byte>(pong.data(), buffer.size()), buffer.size()};
  }

  void stop() noexcept { publish_to_all(segment_.ping(), kStop); }

 private:
  FanSegment32 segment_;
  std::uint32_t receivers_;
};

}  // namespace

std::unique_ptr<Runner> start(const RunnerOptions& options) {
  return std::make_unique<SpawnedRunner<Segment<NoSpin>>>(options);
}

std::unique_ptr<Fanout> start_fanout(const FanoutOptions& options) {
  return std::make_unique<SharedFanoutRunner<FutexFan>>(options);
}

int serve_fanout(const std::string& name, std::size_t payload, std::size_t receiver, std::size_t receivers) {
  if (payload < kFanoutMinPayload)
    throw Error(fmt::format("--stamp needs a payload of at least {} bytes, got {}", kFanoutMinPayload, payload));
  // Chosen and calibrated before the handshake, as the producer's was: the same clock.
  const StampedEcho echo{TickClock::instance()};
  const FanSegment32 segment = FanSegment32::open(name, payload, receivers, receiver);
  const Channel ping = segment.ping(), pong = segment.pong(receiver);
  const auto answers = header_word(segment, kAnswersWord);
  const auto producer_sleeps = header_word(segment, kProducerSleepsWord);
  const auto dead = dead_mask(segment);
  segment.set_ready(receiver);
  for (std::uint64_t seq = 1;; ++seq) {
    const std::uint32_t got = await_ping(ping, word_of(seq - 1));
    if (got == kStop) return 0;
    if (got != word_of(seq)) throw Error(fmt::format("ping sequence word {}, expected {}", got, word_of(seq)));
    echo(pong.data(), ping.data(), payload);
    pong.publish(word_of(seq));
    // seq_cst, paired with the producer's flag and count in FutexFan::collect.
    // Once a receiver is found dead the count never reaches N: every answer
    // then wakes a producer asleep on one that has not come yet.
    const bool last = ((answers.fetch_add(1, std::memory_order_seq_cst) + 1) & kAnswerCount) == receivers;
    if ((last || dead.load(std::memory_order_seq_cst) != 0) && producer_sleeps.load(std::memory_order_seq_cst) != 0)
      futex(segment.word(kAnswersWord), FUTEX_WAKE, 1);
  }
}

std::unique_ptr<Runner> start_hybrid(const RunnerOptions& options) {
  return std::make_unique<SpawnedRunner<Segment<BoundedSpin>>>(options);
}

int serve(const std::string& name, std::size_t payload, bool hybrid) {
  const Segment32 segment = Segment32::open(name, payload);
  if (!hybrid) return serve_with(segment, NoSpin{}, payload);
  return serve_with(segment, BoundedSpin{cpu_hint(segment.header(), false), cpu_hint(segment.header(), true)}, payload);
}

}  // namespace ipc::transport::shm_futex

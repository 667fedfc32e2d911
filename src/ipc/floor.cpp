// The machine's floor (floor.hpp): the cache-line and the wake-up round
// trips, on the estimator of batch_means.hpp and the peer of pinned_peer.hpp.
#include "ipc/floor.hpp"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>

#include "batch_means.hpp"
#include "floor_wait.hpp"
#include "ipc/cpu_relax.hpp"
#include "ipc/error.hpp"
#include "ipc/placement.hpp"
#include "pinned_peer.hpp"

namespace ipc {
namespace {

using namespace std::chrono_literals;

// Budgets (floor.hpp): the cache line's batches are ~2 ms each; the
// wake-up's ~7 ms, a few hundred round trips on a VM.  The caps bound a
// loaded machine, where batches run longer than the warm-up promised.
// Every 16th round trip reads the clock for the cap (batch_means.hpp): on
// the cache line ~2-3 ns a round trip, far less than the stamp per round
// trip that the benchmark's own loop reads.
constexpr detail::BatchBudget kCachelineBudget{30ms, 200ms};
constexpr detail::BatchBudget kWakeupBudget{100ms, 400ms};

// Spins while `word` holds `previous`, with the pause hint; puts what
// replaced it in `value`.  Returns false if nothing did within
// detail::kPeerTimeout.  The clock is read only after 64 Ki polls (a few
// ms): an answer that comes in time costs no clock read.
template <class Word>
[[nodiscard]] bool spin_while_equal(Word& word, Word previous, Word& value) noexcept {
  const std::atomic_ref<Word> flag(word);
  std::chrono::steady_clock::time_point deadline{};
  for (std::uint32_t polls = 1;; ++polls) {
    // acquire: pairs with the peer's release store, as in shm_spin.
    if ((value = flag.load(std::memory_order_acquire)) != previous) return true;
    cpu_relax();
    if (polls % 65536 == 0) {
      const auto now = std::chrono::steady_clock::now();
      if (deadline == decltype(deadline){}) deadline = now + detail::kPeerTimeout;
      else if (now > deadline) return false;
    }
  }
}

// Sleeps while `word` holds `previous`; returns what replaced it, or
// std::nullopt if nothing did within detail::kPeerTimeout of one sleep.
[[nodiscard]] std::optional<std::uint32_t> sleep_while_equal(std::uint32_t& word, std::uint32_t previous) {
  const std::atomic_ref<std::uint32_t> flag(word);
  for (bool awake = true;;) {
    // acquire: pairs with the peer's release store.
    const std::uint32_t value = flag.load(std::memory_order_acquire);
    if (value != previous) return value;
    if (!awake) return std::nullopt;
    awake = detail::wait_while_equal(word, previous, detail::kPeerTimeout);
  }
}

// One word per direction, each on a line of its own and a line pair
// (128 bytes) apart, as shm_spin's ping and pong channels are: each line is
// written by one side only, so a round trip is exactly two line transfers,
// and the second line is not dragged along by the first (Intel's spatial
// prefetcher fetches 64-byte lines in aligned pairs).  Sharing one line
// would add the writer's own invalidations to every transfer.
template <class Word>
struct Lines {
  alignas(128) Word ping = 0;
  alignas(128) Word pong = 0;
};

// The timed side of both floors: batches of `round_trip` (false: no
// answer) until the budget, the median of their means; then the peer stops.
template <class RoundTrip>
double timed_batches(const detail::BatchBudget& budget, detail::PinnedPeer& peer, int cpu_b, const char* what,
                     RoundTrip&& round_trip) {
  const double ns = detail::median_of_batch_means_ns(budget, [&](std::uint64_t n, std::uint64_t stop) {
    for (std::uint64_t i = 0; i < n; ++i) {
      if (!round_trip())
        peer.fail(fmt::format("{} round trip: CPU {} did not answer in {} s", what, cpu_b, detail::kPeerTimeout.count()));
      if (detail::past(i, stop)) return i + 1;
    }
    return n;
  });
  peer.finish();
  return ns;
}

}  // namespace

double cacheline_round_trip_ns(int cpu_a, int cpu_b) {
  if (cpu_a == cpu_b)
    throw Error(fmt::format("cache-line round trip on CPU {} alone: two spinning threads on one CPU measure the "
                            "scheduler's time slice, not the floor",
                            cpu_a));
  using Word = std::uint64_t;
  constexpr Word kStop = std::numeric_limits<Word>::max();
  Lines<Word> lines;
  // release: the same orders as shm_spin's sequence words, so the floor runs
  // the instructions of the transport it bounds (on x86 plain moves either
  // way; on ARM a store-release and a load-acquire).
  const auto publish = [](Word& word, Word value) {
    std::atomic_ref<Word>(word).store(value, std::memory_order_release);
  };

  const ScopedPin pin(cpu_a);
  detail::PinnedPeer peer(
      cpu_b,
      [&] {
        for (Word seen = 0;;) {
          if (!spin_while_equal(lines.ping, seen, seen))
            throw Error(fmt::format("cache-line round trip: no ping reached CPU {} in {} s", cpu_b,
                                    detail::kPeerTimeout.count()));
          if (seen == kStop) return;
          publish(lines.pong, seen);
        }
      },
      [&] { publish(lines.ping, kStop); });

  Word seq = 0;
  return timed_batches(kCachelineBudget, peer, cpu_b, "cache-line", [&] {
    publish(lines.ping, ++seq);
    Word answer = 0;
    return spin_while_equal(lines.pong, seq - 1, answer);
  });
}

double wakeup_round_trip_ns(int cpu_a, int cpu_b) {
  using Word = std::uint32_t;
  // 32 bits: a futex is a 32-bit word.  The sequence never reaches kStop: a
  // round trip takes at least a microsecond, and the cap bounds the count.
  constexpr Word kStop = std::numeric_limits<Word>::max();
  Lines<Word> lines;
  // release: pairs with the acquire of sleep_while_equal.  The kernel's own
  // check of the word under its lock is what rules out a lost wake-up.
  const auto publish = [](Word& word, Word value) {
    std::atomic_ref<Word>(word).store(value, std::memory_order_release);
    detail::wake_one(word);
  };

  const ScopedPin pin(cpu_a);
  detail::PinnedPeer peer(
      cpu_b,
      [&] {
        for (Word seen = 0;;) {
          const std::optional<Word> ping = sleep_while_equal(lines.ping, seen);
          if (!ping)
            throw Error(fmt::format("wake-up round trip: no ping woke CPU {} in {} s", cpu_b,
                                    detail::kPeerTimeout.count()));
          seen = *ping;
          if (seen == kStop) return;
          publish(lines.pong, seen);
        }
      },
      // Called from a destructor too, so a failed wake is not thrown: the
      // peer then sees the stop word when its sleep times out.
      [&] {
        std::atomic_ref<Word>(lines.ping).store(kStop, std::memory_order_release);
        try {
          detail::wake_one(lines.ping);
        } catch (const Error&) {
        }
      });

  Word seq = 0;
  return timed_batches(kWakeupBudget, peer, cpu_b, "wake-up", [&] {
    publish(lines.ping, ++seq);
    return sleep_while_equal(lines.pong, seq - 1).has_value();
  });
}

}  // namespace ipc

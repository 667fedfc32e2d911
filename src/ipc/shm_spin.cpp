#include "ipc/transport/shm_spin.hpp"

#include <fmt/format.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <limits>

#include "ipc/consumer.hpp"
#include "ipc/cpu_relax.hpp"
#include "ipc/message.hpp"
#include "ipc/shared_memory.hpp"

namespace ipc::shm_spin {
namespace {

// Segment layout.  Every region starts on its own 128-byte boundary, two
// cache lines, because the L2 spatial prefetcher fetches lines in pairs: the
// ping and the pong never share a line (or a line pair), so each side only
// ever pulls the line the other side just wrote.
//
//   [0, 128)               Header
//   [128, 128 + C)         ping channel: sequence, then payload
//   [128 + C, 128 + 2C)    pong channel: sequence, then payload
//
// C = 8 + payload rounded up to 128.  A payload of up to 56 bytes travels in
// the same cache line as its sequence number: one line transfer per message.
//
// The fields are plain integers accessed through std::atomic_ref: the two
// processes share the bytes, not C++ objects.
constexpr std::size_t kLinePair = 128;
constexpr std::uint64_t kStop = std::numeric_limits<std::uint64_t>::max();             // ping: consumer exits
constexpr std::uint64_t kInterrupted = std::numeric_limits<std::uint64_t>::max() - 1;  // pong: set by our watchdog

using AtomicSeq = std::atomic_ref<std::uint64_t>;
static_assert(AtomicSeq::is_always_lock_free, "sequence counters must be lock-free to work across processes");

struct Layout {
  std::size_t payload;
  [[nodiscard]] std::size_t channel_size() const noexcept {
    return (sizeof(std::uint64_t) + payload + kLinePair - 1) / kLinePair * kLinePair;
  }
  [[nodiscard]] std::size_t total() const noexcept { return kLinePair + 2 * channel_size(); }
};

struct Header {
  std::uint64_t consumer_ready;  // 0, then 1 once the consumer has the segment mapped
  std::uint64_t payload;         // the size the producer set up, checked by the consumer
};

class Channel {
 public:
  explicit Channel(std::byte* base) noexcept : base_(base) {}
  [[nodiscard]] AtomicSeq seq() const noexcept { return AtomicSeq(*reinterpret_cast<std::uint64_t*>(base_)); }
  [[nodiscard]] std::byte* data() const noexcept { return base_ + sizeof(std::uint64_t); }

  // Spins while the sequence still holds `previous`; returns what replaced it.
  [[nodiscard]] std::uint64_t await_change(std::uint64_t previous) const noexcept {
    const AtomicSeq flag = seq();
    std::uint64_t value;
    // acquire: pairs with the peer's release store, so its payload is visible.
    while ((value = flag.load(std::memory_order_acquire)) == previous) cpu_relax();
    return value;
  }

  // release: the payload written before must be visible to whoever sees `value`.
  void publish(std::uint64_t value) const noexcept { seq().store(value, std::memory_order_release); }

 private:
  std::byte* base_;
};

struct Channels {
  Header* header;
  Channel ping, pong;
  Channels(const SharedMemory& segment, const Layout& layout) noexcept
      : header(reinterpret_cast<Header*>(segment.data())),
        ping(segment.data() + kLinePair),
        pong(segment.data() + kLinePair + layout.channel_size()) {}
};

class ShmSpinRunner final : public Runner {
 public:
  explicit ShmSpinRunner(const RunnerOptions& options)
      : layout_{options.payload},
        segment_(SharedMemory::create(layout_.total())),
        channels_(segment_, layout_),
        message_(options.payload),
        consumer_(init_and_spawn_options(options), options.timeout) {
    const auto ready = std::atomic_ref(channels_.header->consumer_ready);
    consumer_.await([&] { return ready.load(std::memory_order_acquire) == 1; },
                    "the consumer to map the shared memory");
    segment_.unlink();  // both sides have it mapped: the name has no further use
    // The consumer is dead when this runs: nobody else writes the pong channel.
    consumer_.arm([pong = channels_.pong] { pong.publish(kInterrupted); });
  }

  void round_trips(std::uint64_t count) override {
    consumer_.timed([&] {
      const std::size_t size = message_.size();
      for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint64_t seq = ++seq_;
        message_.stamp(seq);
        std::memcpy(channels_.ping.data(), message_.ping().data(), size);
        channels_.ping.publish(seq);
        const std::uint64_t answered = channels_.pong.await_change(seq - 1);
        if (answered != seq) [[unlikely]]
          throw Error(describe_bad_sequence(answered, seq));
        message_.verify(std::span(channels_.pong.data(), size), size);
        consumer_.progress(seq);
      }
    });
  }

  void finish() override {
    consumer_.finish([&] { channels_.ping.publish(kStop); });
  }

  [[nodiscard]] pid_t consumer_pid() const noexcept override { return consumer_.pid(); }

 private:
  SpawnOptions init_and_spawn_options(const RunnerOptions& options) {
    channels_.header->payload = options.payload;
    return {options.consumer_path, {"--name", segment_.name(), "--payload", std::to_string(options.payload)}, {},
            options.consumer_cpu};
  }

  static std::string describe_bad_sequence(std::uint64_t answered, std::uint64_t expected) {
    if (answered == kInterrupted) return "no pong";
    return fmt::format("pong channel holds sequence {}, expected {}", answered, expected);
  }

  Layout layout_;
  SharedMemory segment_;
  Channels channels_;
  Message message_;
  std::uint64_t seq_ = 0;
  Consumer consumer_;  // last: stopped and reaped before the segment is unmapped
};

}  // namespace

std::unique_ptr<Runner> start(const RunnerOptions& options) { return std::make_unique<ShmSpinRunner>(options); }

int serve(const std::string& name, std::size_t payload) {
  const Layout layout{payload};
  const SharedMemory segment = SharedMemory::open(name, layout.total());
  const Channels channels(segment, layout);
  if (channels.header->payload != payload)
    throw Error(fmt::format("segment {} was set up for {}-byte payloads, not {}", name, channels.header->payload, payload));
  std::atomic_ref(channels.header->consumer_ready).store(1, std::memory_order_release);
  for (std::uint64_t seq = 1;; ++seq) {
    const std::uint64_t got = channels.ping.await_change(seq - 1);
    if (got == kStop) return 0;
    if (got != seq) throw Error(fmt::format("ping sequence {}, expected {}", got, seq));
    std::memcpy(channels.pong.data(), channels.ping.data(), payload);
    channels.pong.publish(seq);
  }
}

}  // namespace ipc::shm_spin

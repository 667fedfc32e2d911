#pragma once
// MappedSegment: one segment of ipc/shm_channel.hpp's layout as either end
// holds it, the mapping and the channels laid over it.  Every transport that
// carries the payload in shared memory has one (shm_spin, shm_yield,
// shm_futex, shm_hybrid, shm_sem, eventfd, uring_msg_ring, mmap_file, and
// shm_event on Windows); they differ in how a side waits, not in this.
//
// The producer creates the segment and writes the payload size into the
// header; the consumer opens it, checks that size and sets consumer_ready;
// the producer unlinks the name once consumer_ready says that both have it
// mapped, so that no name outlives the hand-over.
#include <fmt/format.h>

#include <atomic>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "ipc/consumer.hpp"
#include "ipc/error.hpp"
#include "ipc/shared_memory.hpp"
#include "ipc/shm_channel.hpp"

namespace ipc::shm {

// Word: the sequence word's type (std::uint64_t, or std::uint32_t where it
// doubles as a futex).  Memory: SharedMemory, or another shared mapping with
// data() and unlink() (mmap_file's regular file).  Its address must not
// change when it is moved, because the channels point into it: true of any
// mapping, which a move hands over rather than copies.
template <class Word, class Memory = SharedMemory>
class MappedSegment {
 public:
  // The producer's end: `make(bytes)` creates and maps that many zero-filled
  // bytes.  The mapping starts on a page boundary, so the layout's 128-byte
  // offsets are 128-byte boundaries in memory as well: what keeps the ping
  // and the pong on cache-line pairs of their own.
  template <class Make>
  static MappedSegment create(std::size_t payload, Make make) {
    const Layout layout{payload};
    MappedSegment segment(make(layout.total()), layout);
    // Written before the consumer exists: its spawn orders this store before
    // anything it reads, so a plain store is enough.
    segment.channels_.header->payload = payload;
    return segment;
  }
  // A new POSIX shared-memory object (Windows: a paging-file mapping).
  static MappedSegment create(std::size_t payload) { return create(payload, &SharedMemory::create); }

  // The consumer's end: `open(bytes)` maps what the producer created; a
  // segment set up for another payload is refused, `where` naming it.
  template <class Open>
  static MappedSegment open(std::size_t payload, Open open, std::string_view where) {
    const Layout layout{payload};
    MappedSegment segment(open(layout.total()), layout);
    if (const std::uint64_t set_up = segment.channels_.header->payload; set_up != payload)
      throw Error(fmt::format("{} was set up for {}-byte payloads, not {}", where, set_up, payload));
    return segment;
  }
  static MappedSegment open(const std::string& name, std::size_t payload) {
    return open(payload, [&](std::size_t bytes) { return SharedMemory::open(name, bytes); },
                fmt::format("segment {}", name));
  }

  [[nodiscard]] const Channels<Word>& channels() const noexcept { return channels_; }
  [[nodiscard]] const Memory& memory() const noexcept { return memory_; }
  // The header's bytes, for what a transport keeps there beyond Header's
  // fields (shm_sem's semaphores, shm_hybrid's CPU hints).
  [[nodiscard]] std::byte* header() const noexcept { return reinterpret_cast<std::byte*>(channels_.header); }

  // The consumer, once it has the segment mapped.  release: pairs with the
  // producer's acquire load in consumer_ready().
  void set_ready() const noexcept {
    std::atomic_ref(channels_.header->consumer_ready).store(1, std::memory_order_release);
  }
  [[nodiscard]] bool consumer_ready() const noexcept {
    return std::atomic_ref(channels_.header->consumer_ready).load(std::memory_order_acquire) == 1;
  }

  // The producer's hand-over, where nothing else tells it that the consumer
  // is ready: polls consumer_ready (Consumer::await gives up when the
  // consumer dies or the timeout passes), then unlinks the name.
  void await_consumer(Consumer& consumer, std::string_view waiting_for = "the consumer to map the shared memory") {
    consumer.await([this] { return consumer_ready(); }, waiting_for);
    unlink();
  }

  // Both sides have it mapped: the name has no further use.  Idempotent.
  void unlink() noexcept { memory_.unlink(); }

 private:
  MappedSegment(Memory memory, const Layout& layout) noexcept
      : memory_(std::move(memory)), channels_(memory_.data(), layout) {}

  Memory memory_;
  Channels<Word> channels_;
};

}  // namespace ipc::shm

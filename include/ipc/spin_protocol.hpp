#pragma once
// Both sides of the polling protocol over a shm::Channels segment, shared
// by shm_spin and shm_yield (POSIX shared memory) and mmap_file (a mapped
// file): they differ only in where the segment lives and in what a side does
// between two polls of the sequence word (the Wait policy).
#include <fmt/format.h>
#include <sched.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <string>

#include "ipc/error.hpp"
#include "ipc/round_trip_loop.hpp"
#include "ipc/shm_channel.hpp"
#include "ipc/shm_segment.hpp"

namespace ipc::shm {

// Between two polls: the spin-wait hint; the CPU stays with the poller.
struct SpinWait {
  void operator()() const noexcept { cpu_relax(); }
};
// Between two polls: sched_yield(), so that a peer sharing the CPU (placement
// `same`) runs at once instead of at the next scheduler tick.  With nothing
// else runnable on the CPU it returns at once: at `split` the poller still
// holds its CPU, at the price of a system call per poll.
struct YieldWait {
  void operator()() const noexcept { ::sched_yield(); }
};

// The producer's Link (ipc/round_trip_loop.hpp): the ping is copied into
// its channel and published; the pong is checked where the consumer left
// it, in the pong channel, without a copy.
template <class Wait = SpinWait>
struct SpinLink {
  const Channels<std::uint64_t>& channels;

  void send(std::span<const std::byte> ping, std::uint64_t seq) noexcept {
    std::memcpy(channels.ping.data(), ping.data(), ping.size());
    channels.ping.publish(seq);
  }
  Reply receive(std::span<std::byte> buffer, std::uint64_t seq) const {
    const std::uint64_t answered = channels.pong.await_change(seq - 1, Wait{});
    if (answered != seq) [[unlikely]]
      fail(answered, seq);
    return {std::span<const std::byte>(channels.pong.data(), buffer.size()), buffer.size()};
  }
  [[noreturn]] static void fail(std::uint64_t answered, std::uint64_t seq) {
    throw Error(answered == kInterrupted ? std::string("no pong")
                                         : fmt::format("pong channel holds sequence {}, expected {}", answered, seq));
  }
};

// The consumer's side, once the segment is mapped (and its payload size
// checked, MappedSegment::open): says it is ready, and echoes pings until the
// stop value.
template <class Wait = SpinWait, class Memory>
int spin_serve(const MappedSegment<std::uint64_t, Memory>& segment, std::size_t payload) {
  const Channels<std::uint64_t>& channels = segment.channels();
  segment.set_ready();
  for (std::uint64_t seq = 1;; ++seq) {
    const std::uint64_t got = channels.ping.await_change(seq - 1, Wait{});
    if (got == kStop) return 0;
    if (got != seq) throw Error(fmt::format("ping sequence {}, expected {}", got, seq));
    std::memcpy(channels.pong.data(), channels.ping.data(), payload);
    channels.pong.publish(seq);
  }
}

}  // namespace ipc::shm

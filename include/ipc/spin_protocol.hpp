#pragma once
// Both sides of the busy-wait protocol over a shm::Channels segment, shared
// by shm_spin (POSIX shared memory) and mmap_file (a mapped file): the two
// differ only in where the segment lives.  Inline, so that the timed loop
// compiles into each transport's round_trips() without a call.
#include <fmt/format.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

#include "ipc/consumer.hpp"
#include "ipc/error.hpp"
#include "ipc/message.hpp"
#include "ipc/shm_channel.hpp"

namespace ipc::shm {

// The producer's round trips; `seq` is the last sequence sent, carried on
// across calls.
inline void spin_round_trips(const Channels<std::uint64_t>& channels, Message& message, Consumer& consumer,
                             std::uint64_t& seq, std::uint64_t count) {
  consumer.timed([&] {
    const std::size_t size = message.size();
    for (std::uint64_t i = 0; i < count; ++i) {
      ++seq;
      message.stamp(seq);
      std::memcpy(channels.ping.data(), message.ping().data(), size);
      channels.ping.publish(seq);
      const std::uint64_t answered = channels.pong.await_change(seq - 1);
      if (answered != seq) [[unlikely]] {
        throw Error(answered == kInterrupted
                        ? std::string("no pong")
                        : fmt::format("pong channel holds sequence {}, expected {}", answered, seq));
      }
      message.verify(std::span(channels.pong.data(), size), size);
      consumer.progress(seq);
    }
  });
}

// The consumer's side, once the segment is mapped: checks the size the
// producer set up (`where` names the segment in the message), says it is
// ready, and echoes pings until the stop value.
inline int spin_serve(const Channels<std::uint64_t>& channels, std::size_t payload, const std::string& where) {
  if (channels.header->payload != payload)
    throw Error(fmt::format("{} was set up for {}-byte payloads, not {}", where, channels.header->payload, payload));
  std::atomic_ref(channels.header->consumer_ready).store(1, std::memory_order_release);
  for (std::uint64_t seq = 1;; ++seq) {
    const std::uint64_t got = channels.ping.await_change(seq - 1);
    if (got == kStop) return 0;
    if (got != seq) throw Error(fmt::format("ping sequence {}, expected {}", got, seq));
    std::memcpy(channels.pong.data(), channels.ping.data(), payload);
    channels.pong.publish(seq);
  }
}

}  // namespace ipc::shm

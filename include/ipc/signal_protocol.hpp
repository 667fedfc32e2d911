#pragma once
// Both sides of the protocol in which the payload and its 64-bit sequence
// word go through a shm::Channels segment and a side sleeps until the other
// signals it, so that nobody spins: shm_sem (two semaphores), eventfd (two
// eventfds) and, on Windows, shm_event (two auto-reset events).  They differ
// only in the Signal.
//
// A side release-stores its sequence word before it signals, and the peer
// acquire-loads the word after its wait returns: the payload written before
// the store is then visible.  The signal orders the two as well (POSIX says
// so of semaphores; an eventfd's lock and SetEvent do in practice), but the
// release/acquire pair is what the C++ memory model can see.
//
// A Signal is one direction's wake-up, cheap to copy (a descriptor, a
// pointer):
//   void notify() const;          wakes the side that waits
//   std::uint64_t wait() const;   sleeps until woken; how many signals that took
//   static constexpr bool kCounts;             whether wait() counts: a count
//                                              other than 1 is then an error
//   static constexpr std::string_view kName;   with kCounts: the mechanism,
//                                              for that error
#include <fmt/format.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "ipc/error.hpp"
#include "ipc/round_trip_loop.hpp"
#include "ipc/shm_channel.hpp"

namespace ipc::shm {

// The Signal of a mechanism whose wait consumes exactly one notification (a
// semaphore's post, an auto-reset event's SetEvent): nothing to count.
// Notify(handle) and Wait(handle) are the mechanism's calls, errors thrown.
template <class Handle, auto Notify, auto Wait>
struct OneShotSignal {
  static constexpr bool kCounts = false;
  Handle handle;
  void notify() const { Notify(handle); }
  [[nodiscard]] std::uint64_t wait() const {
    Wait(handle);
    return 1;
  }
};

// The producer's Link (ipc/round_trip_loop.hpp): the ping is copied into
// its channel, published and signalled; the pong is checked where the
// consumer left it, without a copy.
template <class Signal>
struct SignalLink {
  const Channels<std::uint64_t>& channels;
  Signal ping, pong;

  void send(std::span<const std::byte> message, std::uint64_t seq) {
    std::memcpy(channels.ping.data(), message.data(), message.size());
    channels.ping.publish(seq);
    ping.notify();
  }
  Reply receive(std::span<std::byte> buffer, std::uint64_t seq) const {
    const std::uint64_t signals = pong.wait();
    const std::uint64_t answered = channels.pong.load();
    if (answered != seq || (Signal::kCounts && signals != 1)) [[unlikely]]
      fail(answered, seq, signals);
    return {std::span<const std::byte>(channels.pong.data(), buffer.size()), buffer.size()};
  }
  [[noreturn]] static void fail(std::uint64_t answered, std::uint64_t expected, std::uint64_t signals) {
    if (answered == kInterrupted) throw Error("no pong");
    if constexpr (Signal::kCounts) {
      if (answered == expected) throw Error(fmt::format("pong {} counted {} signals, expected 1", Signal::kName, signals));
    }
    throw Error(fmt::format("pong channel holds sequence {}, expected {}", answered, expected));
  }

  // Ends the consumer's loop: the stop value, signalled as a ping.
  void stop() const {
    channels.ping.publish(kStop);
    ping.notify();
  }
};

// How the consumer turns the ping into the pong: a copy (a fan-out's
// consumer also stamps it: ipc/fanout.hpp's StampedEcho).
struct PlainEcho {
  void operator()(std::byte* pong, const std::byte* ping, std::size_t payload) const noexcept {
    std::memcpy(pong, ping, payload);
  }
};

// The consumer's echo loop, once it has the segment mapped and has said so:
// waits for each ping's signal, answers with the pong and its signal, and
// returns 0 at the stop value.
template <class Signal, class Echo = PlainEcho>
int signal_serve(const Channels<std::uint64_t>& channels, std::size_t payload, const Signal& ping, const Signal& pong,
                 const Echo& echo = {}) {
  for (std::uint64_t seq = 1;; ++seq) {
    const std::uint64_t signals = ping.wait();
    const std::uint64_t got = channels.ping.load();
    if (got == kStop) return 0;
    if constexpr (Signal::kCounts) {
      if (got != seq || signals != 1)
        throw Error(fmt::format("ping sequence {} after {} signals, expected {} after 1", got, signals, seq));
    } else if (got != seq) {
      throw Error(fmt::format("ping sequence {}, expected {}", got, seq));
    }
    echo(channels.pong.data(), channels.ping.data(), payload);
    channels.pong.publish(seq);
    pong.notify();
  }
}

}  // namespace ipc::shm

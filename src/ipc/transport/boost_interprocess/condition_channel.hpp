#pragma once
// boost_cond's layout in its managed_shared_memory segment, for both sides
// (and the test double that dies holding a mutex): one Direction per way,
// each payload a named array of N bytes beside it.
#include <fmt/format.h>

#include <boost/interprocess/managed_shared_memory.hpp>
#include <boost/interprocess/sync/interprocess_condition.hpp>
#include <boost/interprocess/sync/interprocess_mutex.hpp>
#include <boost/interprocess/sync/scoped_lock.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "ipc/error.hpp"

namespace ipc::transport::boost_interprocess {

// One way of the channel.  The mutex guards the words below it, not the
// payload: a side writes its payload before it publishes the sequence under
// the mutex (the unlock releases it, the peer's lock acquires it) and reads
// the peer's only after seeing that sequence; strict alternation keeps the
// writer off the payload until the answer comes back.
struct Direction {
  boost::interprocess::interprocess_mutex mutex;
  boost::interprocess::interprocess_condition changed;  // notified after seq or stop changes
  std::uint64_t seq = 0;                                // the last message's sequence number; 0: none yet
  std::uint64_t size = 0;                               // its length in bytes
  bool stop = false;                                    // ping only: the run is over
  bool ready = false;                                   // pong only: the consumer is serving
};

struct Channel {
  Direction ping, pong;
};

// Names of the objects in the segment.
inline constexpr const char* kChannelObject = "channel";
inline constexpr const char* kPingObject = "ping";
inline constexpr const char* kPongObject = "pong";

// The consumer's side: opens segment `name`, says READY (pong.ready) and
// echoes pings until the stop.  before_pong(pong, seq) runs just before each
// pong is published, with pong.mutex held: a no-op in the consumer, a fault
// in the test double.  Throws boost::interprocess::interprocess_exception
// or ipc::Error.
template <class BeforePong>
int serve_channel(const std::string& name, std::size_t payload, BeforePong before_pong) {
  namespace bip = boost::interprocess;
  bip::managed_shared_memory segment(bip::open_only, name.c_str());
  Channel* const channel = segment.find<Channel>(kChannelObject).first;
  const auto ping = segment.find<unsigned char>(kPingObject);
  const auto pong = segment.find<unsigned char>(kPongObject);
  if (channel == nullptr || ping.first == nullptr || pong.first == nullptr)
    throw Error(fmt::format("segment {} holds no boost_cond channel", name));
  if (ping.second != payload || pong.second != payload)
    throw Error(fmt::format("segment {} was set up for {}-byte messages, not {}", name, ping.second, payload));
  {
    bip::scoped_lock lock(channel->pong.mutex);
    channel->pong.ready = true;
  }
  channel->pong.changed.notify_one();
  for (std::uint64_t last = 0;;) {
    std::size_t size = 0;
    {
      bip::scoped_lock lock(channel->ping.mutex);
      while (channel->ping.seq == last && !channel->ping.stop) channel->ping.changed.wait(lock);
      if (channel->ping.stop) return 0;
      last = channel->ping.seq;
      size = channel->ping.size;
    }
    if (size > payload) throw Error(fmt::format("a {}-byte ping in a {}-byte channel", size, payload));
    std::memcpy(pong.first, ping.first, size);
    {
      bip::scoped_lock lock(channel->pong.mutex);
      before_pong(channel->pong, last);
      channel->pong.seq = last;
      channel->pong.size = size;
    }
    channel->pong.changed.notify_one();
  }
}

}  // namespace ipc::transport::boost_interprocess

#pragma once
// The producer's timed loop, written once for every transport.
//
// A transport supplies a Link, its mechanism and nothing else:
//
//   void  send(std::span<const std::byte> ping, std::uint64_t seq);
//   Reply receive(std::span<std::byte> buffer, std::uint64_t seq);
//
// send() hands the ping to the consumer; receive() waits for the pong and
// returns its bytes (in `buffer`, or wherever the mechanism leaves them, e.g.
// a shared-memory channel) and how many arrived.  Either throws ipc::Error
// for what the mechanism itself can tell (end of file, a sentinel left by
// the watchdog, a wrong sequence word).  The loop does the rest, the same way
// for all: the sequence number, the check of every pong (ipc/message.hpp),
// the watchdog's progress counter and, when asked, the timestamps.
//
// Everything here is inline and the Link a template parameter, so each
// transport's run() compiles into one loop with no call it does not need.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

#include "ipc/batch.hpp"
#include "ipc/histogram.hpp"
#include "ipc/message.hpp"
#include "ipc/tick_clock.hpp"

namespace ipc {

struct Reply {
  std::span<const std::byte> bytes;  // the pong as received (at most the buffer's size)
  std::size_t received;              // its full length, which may exceed bytes.size() (a truncated datagram)
};

namespace loop_detail {

struct ClockFree {
  void begin() noexcept {}
  void before_send() noexcept {}
  void after_send() noexcept {}
  void round_trip_done() noexcept {}
  void end() noexcept {}
};

// Chained stamps, taken right after each ping is handed over: the sample of
// round trip k runs from the send of ping k to the send of ping k + 1, i.e.
// the wait for pong k, its check and the next ping's preparation; the last
// sample ends when the last pong is checked.  The n samples add up to the
// batch, first send to last pong.  Why after the send and not after the
// pong: the stamp and the histogram update then run while the ping travels
// and the producer would only be waiting, off the round trip's critical
// path.  Taken after the pong, they delayed the next ping by their own cost
// (shm_spin at split, where a bare rdtsc costs ~14 ns on the development
// VM: 17% against a clock-free batch; after the send: see
// docs/methodology.md, "What a stamp costs").
class EveryRoundTrip {
 public:
  explicit EveryRoundTrip(LatencyHistogram& histogram) noexcept
      : clock_(TickClock::instance()), histogram_(histogram) {}
  void begin() noexcept {}
  void before_send() noexcept {}
  void after_send() noexcept {
    const std::uint64_t now = clock_.stamp();
    if (started_) [[likely]] {
      histogram_.record(now - last_);
    } else {
      first_ = now;
      started_ = true;
    }
    last_ = now;
  }
  void round_trip_done() noexcept {}
  void end() noexcept {
    if (!started_) return;
    const std::uint64_t now = clock_.stamp();
    histogram_.record(now - last_);
    last_ = now;
  }
  [[nodiscard]] std::uint64_t total() const noexcept { return last_ - first_; }

 private:
  const TickClock& clock_;
  LatencyHistogram& histogram_;
  bool started_ = false;
  std::uint64_t first_ = 0, last_ = 0;
};

// Open loop: waits for each ping's due time, then stamps the send and the
// pong's arrival.  The wait is the only code here that is not the round
// trip's, and it runs before the send, outside both samples.
class OpenLoopTimer {
 public:
  OpenLoopTimer(LatencyHistogram& corrected, OpenLoop& open_loop) noexcept
      : clock_(TickClock::instance()), corrected_(corrected), open_loop_(open_loop) {}
  void begin() noexcept {
    due_ = clock_.stamp();
    deadline_ = open_loop_.max_span_ticks != 0 ? due_ + open_loop_.max_span_ticks : UINT64_MAX;
  }
  void after_send() noexcept {}
  void end() noexcept {}
  // A batch that cannot keep its rate ends at its deadline, read off the
  // pong's own stamp: no clock read of its own.
  [[nodiscard]] bool expired() const noexcept { return arrival_ > deadline_; }
  void before_send() noexcept {
    std::uint64_t now = clock_.stamp();
    if (now < due_) {
      now = wait_until(clock_, due_);
    } else if (now - due_ > open_loop_.period_ticks) {
      ++open_loop_.late_sends;
    }
    if (first_send_ == 0) first_send_ = now;
    sent_ = now;
  }
  void round_trip_done() noexcept {
    const std::uint64_t arrival = arrival_ = clock_.stamp();
    ++open_loop_.round_trips;
    corrected_.record(arrival - due_);
    open_loop_.raw->record(arrival - sent_);
    corrected_ticks_ += arrival - due_;
    open_loop_.raw_ticks += arrival - sent_;
    due_ += open_loop_.period_ticks;
  }
  [[nodiscard]] std::uint64_t total() const noexcept { return corrected_ticks_; }
  [[nodiscard]] std::uint64_t send_span() const noexcept { return sent_ - first_send_; }

 private:
  // Sleeps until kSpinBeforeDue before `due`, then spins on the clock.
  static std::uint64_t wait_until(const TickClock& clock, std::uint64_t due) noexcept;

  const TickClock& clock_;
  LatencyHistogram& corrected_;
  OpenLoop& open_loop_;
  std::uint64_t due_ = 0, sent_ = 0, first_send_ = 0, corrected_ticks_ = 0, arrival_ = 0, deadline_ = 0;
};

template <class Link, class Timer>
void loop(Link& link, Message& message, std::uint64_t& seq, std::atomic<std::uint64_t>& progress,
          std::uint64_t count, Timer& timer) {
  timer.begin();
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::uint64_t s = ++seq;
    message.stamp(s);
    timer.before_send();
    link.send(message.ping(), s);
    timer.after_send();
    const Reply reply = link.receive(message.pong(), s);
    message.verify(reply.bytes, reply.received, s);
    // relaxed: only the watchdog reads it, to see that round trips go on.
    progress.store(s, std::memory_order_relaxed);
    timer.round_trip_done();
    if constexpr (requires { timer.expired(); }) {
      if (timer.expired()) break;
    }
  }
  timer.end();
}

}  // namespace loop_detail

// Performs batch.count round trips over `link`, timed as batch.timing says.
// `seq` is the last sequence number sent, carried on across batches;
// `progress` is the watchdog's counter (a remote run's is read by nobody).
// Throws whatever the link or the check throws; `seq` then names the round
// trip that failed.
template <class Link>
void run_batch(Link& link, Message& message, std::uint64_t& seq, std::atomic<std::uint64_t>& progress, Batch& batch) {
  switch (batch.timing) {
    case Timing::clock_free: {
      loop_detail::ClockFree timer;
      loop_detail::loop(link, message, seq, progress, batch.count, timer);
      return;
    }
    case Timing::every_round_trip: {
      loop_detail::EveryRoundTrip timer(*batch.histogram);
      loop_detail::loop(link, message, seq, progress, batch.count, timer);
      batch.ticks = timer.total();
      return;
    }
    case Timing::open_loop: {
      batch.open_loop.raw_ticks = batch.open_loop.late_sends = batch.open_loop.round_trips = 0;
      loop_detail::OpenLoopTimer timer(*batch.histogram, batch.open_loop);
      loop_detail::loop(link, message, seq, progress, batch.count, timer);
      batch.ticks = timer.total();
      batch.open_loop.send_span_ticks = timer.send_span();
      return;
    }
  }
}

}  // namespace ipc

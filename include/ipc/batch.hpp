#pragma once
// Batch: one call's worth of round trips, and how they are timed.
//
// ipc_bench times every round trip of the batch it reports, inside the
// transport's loop (ipc/round_trip_loop.hpp): one TickClock::stamp() per
// round trip, chained (a sample ends where the next begins), recorded into a
// LatencyHistogram as it happens.  The samples then add up to the batch's
// duration exactly, so the mean, the minimum, the percentiles and the
// maximum all describe the same round trips and min <= mean <= max holds by
// construction.  A clock-free batch (Timing::clock_free) runs the same loop
// without the stamps: the warm-up, and the measure of what the stamps cost
// (ipc_bench --timing-cost).
//
// Open loop (Timing::open_loop, ipc_bench --rate): ping k of the batch is
// due at start + k * period.  The producer waits until then (it sleeps
// until kSpinBeforeDue before the due time, then spins on the clock), sends,
// and still keeps one ping in flight, so a late pong makes the next ping
// late.  Each round trip then gives two samples: the corrected latency,
// from the time the ping was due to the pong's arrival, which counts a
// stall once for every ping it delayed (coordinated omission: Gil Tene,
// "How NOT to Measure Latency", 2015; wrk2's correction), and the raw
// latency, from the actual send.
#include <cstdint>

#include "ipc/histogram.hpp"

namespace ipc {

enum class Timing {
  clock_free,        // no clock read inside the loop; `ticks` is left alone
  every_round_trip,  // one stamp per round trip into `histogram`; `ticks` is their sum
  open_loop,         // pings at a fixed rate; corrected latencies into `histogram`, raw ones into open_loop.raw
};

struct OpenLoop {
  std::uint64_t period_ticks = 0;    // in: TickClock ticks between two pings' due times (at least 1)
  LatencyHistogram* raw = nullptr;   // in: gets each round trip's raw latency (send to pong), ticks
  std::uint64_t raw_ticks = 0;       // out: the raw latencies' sum
  std::uint64_t late_sends = 0;      // out: pings sent more than one period after they were due
  std::uint64_t send_span_ticks = 0; // out: from the first send to the last: (count - 1) periods when on time
  // in: the longest the batch may take from its first due time, ticks (0: no
  // limit).  A rate the mechanism cannot hold would otherwise stretch the
  // batch to count / achieved rate: --rate 10M --duration 1s for minutes.
  std::uint64_t max_span_ticks = 0;
  std::uint64_t round_trips = 0;     // out: the round trips done, count unless max_span_ticks ended the batch
};

struct Batch {
  explicit Batch(std::uint64_t round_trips, Timing how = Timing::clock_free, LatencyHistogram* samples = nullptr) noexcept
      : count(round_trips), timing(how), histogram(samples) {}

  std::uint64_t count;                     // round trips to perform
  Timing timing;
  LatencyHistogram* histogram;             // every_round_trip: one sample (ticks) per round trip; open_loop: corrected
  std::uint64_t ticks = 0;                 // out: the samples' sum in `histogram` (TickClock ticks)
  OpenLoop open_loop;                      // open_loop only
};

}  // namespace ipc

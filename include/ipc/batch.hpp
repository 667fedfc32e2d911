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
#include <cstdint>

#include "ipc/histogram.hpp"

namespace ipc {

enum class Timing {
  clock_free,        // no clock read inside the loop; `ticks` is left alone
  every_round_trip,  // one stamp per round trip into `histogram`; `ticks` is their sum
};

struct Batch {
  std::uint64_t count = 0;                 // round trips to perform
  Timing timing = Timing::clock_free;
  LatencyHistogram* histogram = nullptr;   // every_round_trip: gets one sample (ticks) per round trip
  std::uint64_t ticks = 0;                 // out, every_round_trip: first stamp to last, in TickClock ticks
};

}  // namespace ipc

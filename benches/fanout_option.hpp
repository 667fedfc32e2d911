#pragma once
// --fanout N,...: how many consumers each ping goes to (ipc/fanout.hpp).
#include <string>
#include <vector>

#include "options.hpp"

namespace ipc::bench {

// The most consumers of one ping: one process each.
inline constexpr unsigned kMaxFanout = 64;

// The fan-outs asked for, once each, in the order given, after checking
// them against the rest of `options` (parsed before).  Throws UsageError in
// one line: a count outside 1..kMaxFanout, or above 1 with --remote,
// --rate, --cpus, --placement pairs, a payload under kFanoutMinPayload, or
// no chosen transport that fans out (`one_named`: the user named the one).
[[nodiscard]] std::vector<unsigned> parse_fanouts(const std::vector<std::string>& texts, const Options& options,
                                                  bool one_named);

// Where fan-out `n`'s consumers run: the producer on allowed[0] and the
// consumers spread over the other allowed CPUs in turn (split); all on the
// producer's CPU (same); unpinned (none).  Empty for any other placement.
[[nodiscard]] std::vector<std::optional<int>> fanout_cpus(unsigned n, Placement placement,
                                                          const std::vector<int>& allowed);

}  // namespace ipc::bench

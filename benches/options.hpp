#pragma once
// ipc_bench's command line: parsed and validated before anything is spawned.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "benchmark_flags.hpp"
#include "ipc/placement.hpp"
#include "ipc/message.hpp"
#include "ipc/registry.hpp"
#include "ipc/topology.hpp"
#include "remote_option.hpp"
#include "usage_error.hpp"

namespace ipc::bench {

// Untimed round trips before each timed batch: a count, a duration, or both.
struct WarmUp {
  std::uint64_t round_trips = 0;
  std::chrono::milliseconds duration{50};
};

struct Options {
  bool list = false;
  std::vector<const Transport*> transports;
  std::vector<std::size_t> payloads;
  std::vector<Placement> placements;
  // --placement pairs: also one benchmark per ordered pair of allowed CPUs,
  // each a short run (pair_warm_up, kPairRoundTrips unless -n says).
  bool pairs = false;
  WarmUp pair_warm_up{0, std::chrono::milliseconds(10)};
  std::optional<std::pair<int, int>> cpus;
  std::optional<std::uint64_t> iterations;
  std::optional<std::uint64_t> repetitions;
  WarmUp warm_up;
  std::chrono::milliseconds timeout{5000};
  std::optional<std::string> json_path;
  std::optional<std::string> md_path;  // --md: the summary in Markdown
  // --gb-table: Google Benchmark's rows above the summary; without it (and
  // without --benchmark_format=console) the console is the summary alone.
  bool gb_table = false;
  std::vector<std::string> benchmark_flags;  // --benchmark_*, as given
  BenchmarkFlags benchmark;                  // the same, validated and sorted out
  // --consumer-cmd "CMD ARGS": started in place of each transport's own
  // consumer, with the transport's arguments after these words; a word
  // "{transport}" becomes the transport's name.  Empty: the built-in ones.
  std::vector<std::string> consumer_command;
  std::optional<RemoteTarget> remote;
  Check check = Check::sampled;  // --check: how much of every pong is compared
  bool timing_cost = false;      // --timing-cost: also run each batch clock-free, report the ratio
  bool explain = false;          // --explain: the explanation table below the summary (and in --md)
  // --rate: one benchmark per entry, nullopt for the closed loop ("closed"),
  // else messages per second.  Default: the closed loop only.
  std::vector<std::optional<std::uint64_t>> rates{std::nullopt};
  // --fanout: one benchmark per entry, the consumers each ping goes to (1: today's one consumer).
  std::vector<unsigned> fanouts{1};
  // --duration: an open-loop benchmark's length, when -n does not give it.
  std::chrono::milliseconds duration{1000};
  // One line each, printed before the run: what was left out and why
  // (a transport this system refuses).
  std::vector<std::string> notes;
  // The transports left out that way: name, reason (shown in the summary).
  std::vector<std::pair<std::string, std::string>> unavailable;
};

// A pair's timed round trips under --placement pairs without -n: enough for
// its p50, few enough for a 16-CPU matrix (240 pairs) in under a minute.
inline constexpr std::uint64_t kPairRoundTrips = 2000;

// The words of --consumer-cmd: split at whitespace, no quoting.  Throws UsageError.
std::vector<std::string> split_consumer_command(std::string_view text);

// The help text was asked for and printed: exit 0.
struct HelpShown {};

// "2000" (round trips), "50ms", "2s", or "0" (none); nullopt if malformed.
std::optional<WarmUp> parse_warm_up(std::string_view text);

// Parses argv (argv[0] included).  Throws UsageError or HelpShown.
Options parse_options(int argc, const char* const* argv, const std::vector<int>& allowed_cpus,
                      const Topology& topology);

}  // namespace ipc::bench

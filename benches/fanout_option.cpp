#include "fanout_option.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "ipc/fanout.hpp"
#include "ipc/parse.hpp"
#include "usage_error.hpp"

namespace ipc::bench {
namespace {

std::string fanning_transports() {
  std::vector<std::string_view> names;
  for (const Transport& t : transports())
    if (t.start_fanout) names.push_back(t.name);
  return names.empty() ? std::string("none here") : fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace

std::vector<unsigned> parse_fanouts(const std::vector<std::string>& texts, const Options& options, bool one_named) {
  std::vector<unsigned> fanouts;
  for (const std::string& text : texts) {
    const auto n = parse_count(text);
    if (!n || *n > kMaxFanout)
      throw UsageError(fmt::format("invalid --fanout '{}': expected consumers per ping from 1 to {}", text, kMaxFanout));
    if (std::ranges::find(fanouts, static_cast<unsigned>(*n)) == fanouts.end()) fanouts.push_back(static_cast<unsigned>(*n));
  }
  if (fanouts.empty()) return {1};
  const unsigned widest = std::ranges::max(fanouts);
  if (widest == 1) return fanouts;
  if (options.remote) throw UsageError("--fanout above 1 needs its consumers on this machine: give it without --remote");
  if (std::ranges::any_of(options.rates, [](const auto& r) { return r.has_value(); }))
    throw UsageError("--fanout above 1 runs the closed loop only: give it without --rate");
  if (options.cpus) throw UsageError("--fanout above 1 places its consumers itself: give it without --cpus");
  if (options.pairs) throw UsageError("--fanout above 1 places its consumers itself: give it without --placement pairs");
  if (const std::size_t smallest = std::ranges::min(options.payloads); smallest < kFanoutMinPayload)
    throw UsageError(fmt::format("--fanout above 1 needs a payload of at least {} bytes, each pong carrying its "
                                 "delivery stamp (got {}; give -p 16 or more)",
                                 kFanoutMinPayload, smallest));
  const auto fans = [](const Transport* t) { return t->start_fanout != nullptr; };
  if (one_named && !fans(options.transports.front()))
    throw UsageError(fmt::format("{} does not fan out to {} consumers (the transports that do: {})",
                                 options.transports.front()->name, widest, fanning_transports()));
  if (std::ranges::none_of(options.transports, fans))
    throw UsageError(fmt::format("none of the transports chosen fans out (those that do: {})", fanning_transports()));
  return fanouts;
}

std::vector<std::optional<int>> fanout_cpus(unsigned n, Placement placement, const std::vector<int>& allowed) {
  std::vector<std::optional<int>> cpus;
  for (unsigned i = 0; i < n; ++i) {
    switch (placement) {
      case Placement::split: cpus.emplace_back(allowed[1 + i % (allowed.size() - 1)]); break;
      case Placement::same: cpus.emplace_back(allowed.front()); break;
      case Placement::none: cpus.emplace_back(std::nullopt); break;
      default: return {};
    }
  }
  return cpus;
}

}  // namespace ipc::bench

#include "caution.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace ipc::bench {
namespace {

std::string_view kind_of(std::string_view cause) {
  const std::size_t end = std::min({cause.find(':'), cause.find(" in "), cause.find(" on CPU ")});
  return cause.substr(0, end);
}

// "a, b, c and 2 more": the first three names, then how many more.
std::string first_names(const std::vector<std::string>& names) {
  const std::vector<std::string> shown(names.begin(), names.begin() + std::min<std::ptrdiff_t>(3, std::ssize(names)));
  return fmt::format("{}{}", fmt::join(shown, ", "),
                     names.size() > shown.size() ? fmt::format(" and {} more", names.size() - shown.size()) : "");
}

}  // namespace

bool Cautions::add(std::string cause) {
  if (std::ranges::any_of(causes_, [&](const std::string& c) { return kind_of(c) == kind_of(cause); })) return false;
  causes_.push_back(std::move(cause));
  return true;
}

std::string Cautions::joined() const { return causes_.empty() ? "none" : fmt::format("{}", fmt::join(causes_, "; ")); }

std::optional<std::string> machine_tail_caution(const std::vector<SummaryRow>& rows, const MachineProbes& probes) {
  std::vector<std::string> names;
  std::optional<std::pair<int, double>> stall;  // the largest stall among theirs: CPU, ns
  for (const SummaryRow& row : rows) {
    if (row.error || row.p50_ns <= 0 || row.max_ns <= kTailOverP50 * row.p50_ns) continue;
    std::optional<std::pair<int, double>> largest;
    for (const auto& cpu : {row.spec.cpus.producer, row.spec.cpus.consumer}) {
      if (!cpu) continue;
      if (const auto gap = probes.largest_gap_ns(*cpu); gap && (!largest || *gap > largest->second))
        largest = std::pair{*cpu, *gap};
    }
    if (!largest || row.max_ns > largest->second + row.p50_ns) continue;
    names.push_back(row.spec.name());
    if (!stall || largest->second > stall->second) stall = largest;
  }
  if (names.empty()) return std::nullopt;
  return fmt::format("the tail is the machine's: CPU {} stalled {} in the noise probe, and the max of {} ({}) is "
                     "within that",
                     stall->first, short_duration(stall->second),
                     names.size() == 1 ? "1 result" : fmt::format("{} results", names.size()), first_names(names));
}

std::vector<std::string> result_cautions(const std::vector<SummaryRow>& rows) {
  std::vector<std::string> skewed, varied;
  for (const SummaryRow& row : rows) {
    if (row.error) continue;
    if (row.p50_ns > 0 && row.ns_per_round_trip > kMeanOverP50Bound * row.p50_ns) skewed.push_back(row.spec.name());
    if (row.cv && *row.cv > kCvBound) varied.push_back(row.spec.name());
  }
  // One line, not a list.
  const auto some = [&rows](const std::vector<std::string>& names) {
    return fmt::format("{} of {} results ({})", names.size(), rows.size(), first_names(names));
  };
  std::vector<std::string> causes;
  if (!skewed.empty())
    causes.push_back(
        fmt::format("mean above {:g} x p50 (a few very slow round trips carry it) in {}", kMeanOverP50Bound, some(skewed)));
  if (!varied.empty()) causes.push_back(fmt::format("cv above {:g}% across repetitions in {}", kCvBound * 100, some(varied)));
  return causes;
}

}  // namespace ipc::bench

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

}  // namespace

bool Cautions::add(std::string cause) {
  if (std::ranges::any_of(causes_, [&](const std::string& c) { return kind_of(c) == kind_of(cause); })) return false;
  causes_.push_back(std::move(cause));
  return true;
}

std::string Cautions::joined() const { return causes_.empty() ? "none" : fmt::format("{}", fmt::join(causes_, "; ")); }

std::vector<std::string> result_cautions(const std::vector<SummaryRow>& rows) {
  std::vector<std::string> skewed, varied;
  for (const SummaryRow& row : rows) {
    if (row.error) continue;
    if (row.p50_ns > 0 && row.ns_per_round_trip > kMeanOverP50Bound * row.p50_ns) skewed.push_back(row.spec.name());
    if (row.cv && *row.cv > kCvBound) varied.push_back(row.spec.name());
  }
  // The first three names, then how many more: one line, not a list.
  const auto some = [&rows](const std::vector<std::string>& names) {
    const std::vector<std::string> shown(names.begin(), names.begin() + std::min<std::ptrdiff_t>(3, std::ssize(names)));
    return fmt::format("{} of {} results ({}{})", names.size(), rows.size(), fmt::join(shown, ", "),
                       names.size() > shown.size() ? fmt::format(" and {} more", names.size() - shown.size()) : "");
  };
  std::vector<std::string> causes;
  if (!skewed.empty())
    causes.push_back(
        fmt::format("mean above {:g} x p50 (a few very slow round trips carry it) in {}", kMeanOverP50Bound, some(skewed)));
  if (!varied.empty()) causes.push_back(fmt::format("cv above {:g}% across repetitions in {}", kCvBound * 100, some(varied)));
  return causes;
}

}  // namespace ipc::bench

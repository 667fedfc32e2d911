#include "ipc/parse.hpp"

#include <charconv>
#include <limits>

namespace ipc {

std::optional<std::uint64_t> parse_count(std::string_view text) noexcept {
  if (text.empty() || text.front() < '0' || text.front() > '9') return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value == 0) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> parse_rate(std::string_view text) noexcept {
  std::uint64_t multiplier = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 'k': case 'K': multiplier = 1'000; break;
      case 'm': case 'M': multiplier = 1'000'000; break;
      default: break;
    }
    if (multiplier != 1) text.remove_suffix(1);
  }
  const auto value = parse_count(text);
  if (!value || *value > std::numeric_limits<std::uint64_t>::max() / multiplier) return std::nullopt;
  return *value * multiplier;
}

std::optional<std::size_t> parse_size(std::string_view text) noexcept {
  std::size_t multiplier = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 'k': case 'K': multiplier = std::size_t{1} << 10; break;
      case 'm': case 'M': multiplier = std::size_t{1} << 20; break;
      default: break;
    }
    if (multiplier != 1) text.remove_suffix(1);
  }
  const auto value = parse_count(text);
  if (!value || *value > std::numeric_limits<std::size_t>::max() / multiplier) return std::nullopt;
  return static_cast<std::size_t>(*value) * multiplier;
}

}  // namespace ipc

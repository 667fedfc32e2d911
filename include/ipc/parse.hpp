#pragma once
// Parsers for the numbers users type: payload sizes, counts and rates.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ipc {

// "64", "4K", "1M" (K = 1024, M = 1024 * 1024; either case).  Rejects empty
// text, signs, other suffixes, trailing junk, zero and overflow.
[[nodiscard]] std::optional<std::size_t> parse_size(std::string_view text) noexcept;

// A decimal count >= 1, digits only.
[[nodiscard]] std::optional<std::uint64_t> parse_count(std::string_view text) noexcept;

// A rate in messages per second: "500", "10k", "1M" (k = 1000, M = 1000000:
// decimal, as rates are quoted; either case).  Rejects what parse_count
// rejects, and overflow.
[[nodiscard]] std::optional<std::uint64_t> parse_rate(std::string_view text) noexcept;

}  // namespace ipc

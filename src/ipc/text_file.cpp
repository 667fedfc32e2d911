#include "text_file.hpp"

#include <charconv>

namespace ipc::detail {

std::string_view trim(std::string_view text) noexcept {
  constexpr std::string_view kSpace = " \t\n\r\f\v";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

std::optional<std::string> read_line(const std::filesystem::path& file) {
  const auto text = read_text(file);
  if (!text) return std::nullopt;
  const std::string_view view(*text);
  return std::string(trim(view.substr(0, view.find('\n'))));
}

std::optional<int> read_int(const std::filesystem::path& file) {
  const auto line = read_line(file);
  if (!line || line->empty()) return std::nullopt;
  int value = 0;
  const auto [end, ec] = std::from_chars(line->data(), line->data() + line->size(), value);
  // Negative ids exist (physical_package_id is -1 where the platform does not
  // say): they mean "unknown" too.
  if (ec != std::errc{} || end != line->data() + line->size() || value < 0) return std::nullopt;
  return value;
}

}  // namespace ipc::detail

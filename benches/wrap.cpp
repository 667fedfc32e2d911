#include "wrap.hpp"

namespace ipc::bench {

std::string wrap(std::string_view text, std::size_t indent, std::size_t width) {
  // Breaks at a space only; the spaces inside a line are kept as written
  // (aligned columns), those at a break dropped.
  std::string out, line;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(start, end - start);
    const bool fresh = line.size() <= indent && line.find_first_not_of(' ') == std::string::npos;
    if (!word.empty() && !fresh && line.size() + 1 + word.size() > width) {
      while (line.ends_with(' ')) line.pop_back();
      out += line + "\n";
      line = std::string(indent, ' ');
      line += word;
    } else if (!(word.empty() && fresh && !out.empty())) {
      if (start > 0 && !(fresh && !out.empty())) line += ' ';
      line += word;
    }
    start = end + 1;
  }
  return out + line;
}

}  // namespace ipc::bench

// test_support's platform-independent part.
#include <sstream>

#include "test_support.hpp"

namespace ipc::test {

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> result;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) result.push_back(line);
  return result;
}

std::string unwrapped(const std::string& text) {
  std::string result;
  for (const std::string& line : lines(text)) {
    if (!result.empty() && line.starts_with(' ')) {
      result.back() = ' ';
      result += line.substr(line.find_first_not_of(' '));
    } else {
      result += line;
    }
    result += '\n';
  }
  return result;
}

}  // namespace ipc::test

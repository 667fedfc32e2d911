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

}  // namespace ipc::test

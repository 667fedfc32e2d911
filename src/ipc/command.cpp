#include "ipc/child_process.hpp"

namespace ipc {

std::string Command::text() const {
  std::string text;
  for (const std::string& word : words_) text += (text.empty() ? "" : " ") + word;
  return text;
}

}  // namespace ipc

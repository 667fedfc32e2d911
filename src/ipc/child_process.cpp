// The half of child_process.hpp that both platforms share: Command's text,
// and what a ChildProcess does with what the platform's spawn gave it (the
// pid, the handle, the reaped status).  The platforms' halves:
// linux/child_process.cpp, windows/child_process.cpp.
#include "ipc/child_process.hpp"

#include <utility>

namespace ipc {

std::string Command::text() const {
  std::string text;
  for (const std::string& word : words_) text += (text.empty() ? "" : " ") + word;
  return text;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      handle_(std::move(other.handle_)),
      status_(std::exchange(other.status_, std::nullopt)) {}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) kill_and_reap();
}

std::string ChildProcess::fate() const {
  const auto status = peek();
  return status ? status->describe() : "is still running";
}

}  // namespace ipc

#include "remote_support.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <utility>

#include "ipc/error.hpp"

namespace ipc::test {
namespace {

std::pair<UniqueFd, UniqueFd> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe2");
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

ChildProcess spawn_logging_to(std::vector<std::string> argv, UniqueFd& log) {
  auto [read_end, write_end] = make_pipe();
  log = std::move(read_end);
  return ChildProcess::spawn(
      {Command(argv.at(0)), {argv.begin() + 1, argv.end()}, {{write_end.get(), STDOUT_FILENO}}, std::nullopt});
}

}  // namespace

ListeningConsumer::ListeningConsumer(std::vector<std::string> argv) : child_(spawn_logging_to(std::move(argv), log_)) {
  const std::string line = await_line("listening on ");
  if (line.empty()) throw Error("the consumer did not say it was listening: " + child_.fate());
  const auto start = line.find("listening on ") + 13;
  endpoint_ = line.substr(start, line.find(' ', start) - start);
}

void ListeningConsumer::read_available(std::chrono::milliseconds wait) {
  pollfd p{log_.get(), POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return;
  char buf[4096];
  const ssize_t r = ::read(log_.get(), buf, sizeof buf);
  if (r <= 0) return;
  partial_.append(buf, static_cast<std::size_t>(r));
  for (auto nl = partial_.find('\n'); nl != std::string::npos; nl = partial_.find('\n')) {
    lines_.push_back(partial_.substr(0, nl));
    partial_.erase(0, nl + 1);
  }
}

std::string ListeningConsumer::await_line(const std::string& text, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    for (; consumed_ < lines_.size(); ++consumed_) {
      if (lines_[consumed_].find(text) != std::string::npos) return lines_[consumed_++];
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return {};
    read_available(std::min(left, std::chrono::milliseconds(50)));
  }
}

const std::vector<std::string>& ListeningConsumer::lines() {
  read_available(std::chrono::milliseconds(0));
  return lines_;
}

}  // namespace ipc::test

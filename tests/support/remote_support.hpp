#pragma once
// A consumer started "by hand" (tcp_consumer or udp_consumer --listen) for
// the remote tests: spawned with its log on a pipe that the test reads.
#include <chrono>
#include <string>
#include <vector>

#include "ipc/child_process.hpp"
#include "ipc/unique_fd.hpp"

namespace ipc::test {

class ListeningConsumer {
 public:
  // Starts `argv` (a --listen command line, maybe behind `ip netns exec`)
  // and waits for its "listening on A.B.C.D:PORT" line; throws ipc::Error if
  // it does not come within 10 s.
  explicit ListeningConsumer(std::vector<std::string> argv);

  // "A.B.C.D:PORT", from the listening line.
  [[nodiscard]] const std::string& endpoint() const noexcept { return endpoint_; }
  [[nodiscard]] ChildProcess& process() noexcept { return child_; }

  // Waits up to `limit` for a log line containing `text` among those not yet
  // returned by an earlier call; returns it, or "" if none came.
  std::string await_line(const std::string& text, std::chrono::milliseconds limit = std::chrono::seconds(10));
  // Every line so far.
  const std::vector<std::string>& lines();

 private:
  void read_available(std::chrono::milliseconds wait);

  UniqueFd log_;
  ChildProcess child_;
  std::string partial_;
  std::vector<std::string> lines_;
  std::size_t consumed_ = 0;
  std::string endpoint_;
};

}  // namespace ipc::test

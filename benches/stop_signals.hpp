#pragma once
// StopSignals: SIGINT, SIGTERM and SIGHUP end ipc_bench in order.
//
// The signals are blocked in every thread and read from a signalfd by one
// thread, which records the first one and kills every consumer still alive.
// Each running benchmark then fails as after any consumer death, so its
// Runner unwinds and removes what it created; the benchmarks not yet run are
// skipped; ipc_bench exits 128 + the signal number.  A second signal exits
// at once, after killing the consumers again.
#include <thread>

#include "ipc/unique_fd.hpp"

namespace ipc::bench {

class StopSignals {
 public:
  // Call first in main, before any other thread exists: threads inherit the
  // signal mask of their creator.
  StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  ~StopSignals();

  // The stop signal received, or 0.
  [[nodiscard]] static int received() noexcept;

 private:
  void wait_for_signals();

  UniqueFd signals_;
  UniqueFd quit_;  // an eventfd: ends the thread
  std::thread thread_;
};

}  // namespace ipc::bench

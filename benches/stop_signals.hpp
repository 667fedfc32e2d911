#pragma once
// StopSignals: SIGINT, SIGTERM and SIGHUP end ipc_bench in order; on
// Windows, Ctrl-C, Ctrl-Break and closing the console.
//
// Linux (linux/stop_signals.cpp): the signals are blocked in every thread and read
// from a signalfd by one thread, which records the first one and kills every
// consumer still alive.
// Windows (windows/stop_signals.cpp): a handler registered with
// SetConsoleCtrlHandler (MSDN: "SetConsoleCtrlHandler function"), which
// Windows runs on a thread of its own per event, does the same.  Closing the
// console ends the process once the handler returns, and at the latest
// after about 5 s whatever it does: the handler waits there, so that the run
// has those seconds to unwind.
//
// Each running benchmark then fails as after any consumer death, so its
// Runner unwinds and removes what it created; the benchmarks not yet run are
// skipped; ipc_bench exits 128 + received().  A second event exits at once,
// after killing the consumers again.
#include <memory>
#include <string>

namespace ipc::bench {

class StopSignals {
 public:
  // Call first in main, before any other thread exists: threads inherit the
  // signal mask of their creator (Linux).  Throws ipc::Error if the signals
  // cannot be caught.
  StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  ~StopSignals();

  // The stop event received, or 0: the signal number on Linux; on Windows
  // SIGINT (2) for Ctrl-C, SIGBREAK (21) for Ctrl-Break, SIGTERM (15) for
  // the console closing.
  [[nodiscard]] static int received() noexcept;

  // received()'s name for messages: "SIGINT" on Linux ("SIG?" for a number
  // it does not know); "Ctrl-C", "Ctrl-Break" or "close" on Windows.
  [[nodiscard]] static std::string name(int received);

 private:
  // What the platform's way of catching the events needs (Linux: the
  // signalfd and its thread; Windows: nothing, the handler is a function).
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ipc::bench

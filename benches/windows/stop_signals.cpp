// StopSignals on Windows: a console control handler (see stop_signals.hpp).
// Linux: linux/stop_signals.cpp.
#include "ipc/windows/win32.hpp"

#include <atomic>
#include <csignal>

#include "ipc/child_process.hpp"
#include "ipc/windows/error.hpp"
#include "stop_signals.hpp"

namespace ipc::bench {
namespace {

std::atomic<int> g_received{0};

// Runs on a thread Windows starts for the event, beside the benchmark.
BOOL WINAPI on_console_event(DWORD event) {
  int signal = 0;
  switch (event) {
    case CTRL_C_EVENT: signal = SIGINT; break;
    case CTRL_BREAK_EVENT: signal = SIGBREAK; break;
    case CTRL_CLOSE_EVENT: signal = SIGTERM; break;
    default: return FALSE;  // logoff, shutdown: the next handler, in the end ExitProcess
  }
  int expected = 0;
  const bool first = g_received.compare_exchange_strong(expected, signal, std::memory_order_acq_rel);
  kill_all_children();  // no remote runs on Windows: --remote is refused
  // The second event: at once, as _exit on Linux (ExitProcess would run DLL
  // detach code while the benchmark thread still runs).
  if (!first) ::TerminateProcess(::GetCurrentProcess(), static_cast<UINT>(128 + expected));
  // Returning from CTRL_CLOSE_EVENT ends the process: waiting here lets the
  // run unwind until main returns (which ends this thread) or Windows' time
  // is up.
  if (event == CTRL_CLOSE_EVENT) ::Sleep(INFINITE);
  return TRUE;
}

}  // namespace

struct StopSignals::State {};  // the handler is a function, with nothing of its own

StopSignals::StopSignals() {
  if (!::SetConsoleCtrlHandler(on_console_event, TRUE)) throw_last_error("SetConsoleCtrlHandler");
}

StopSignals::~StopSignals() { ::SetConsoleCtrlHandler(on_console_event, FALSE); }

int StopSignals::received() noexcept { return g_received.load(std::memory_order_acquire); }

std::string StopSignals::name(int received) {
  switch (received) {
    case SIGINT: return "Ctrl-C";
    case SIGBREAK: return "Ctrl-Break";
    case SIGTERM: return "close";
    default: return "?";
  }
}

}  // namespace ipc::bench

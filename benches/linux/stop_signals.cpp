#include "stop_signals.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <thread>

#include "ipc/child_process.hpp"
#include "ipc/error.hpp"
#include "ipc/remote.hpp"
#include "ipc/unique_fd.hpp"

namespace ipc::bench {
namespace {

std::atomic<int> g_received{0};

sigset_t stop_set() {
  sigset_t set;
  ::sigemptyset(&set);
  ::sigaddset(&set, SIGINT);
  ::sigaddset(&set, SIGTERM);
  ::sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

struct StopSignals::State {
  void wait_for_signals();

  UniqueFd signals;
  UniqueFd quit;  // an eventfd: ends the thread
  std::thread thread;
};

StopSignals::StopSignals() : state_(std::make_unique<State>()) {
  const sigset_t set = stop_set();
  if (::pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) throw Error("pthread_sigmask failed");
  state_->signals.reset(::signalfd(-1, &set, SFD_CLOEXEC));
  state_->quit.reset(::eventfd(0, EFD_CLOEXEC));
  if (!state_->signals || !state_->quit) throw_errno("signalfd");
  state_->thread = std::thread([state = state_.get()] { state->wait_for_signals(); });
}

StopSignals::~StopSignals() {
  const std::uint64_t one = 1;
  [[maybe_unused]] ssize_t ignored = ::write(state_->quit.get(), &one, sizeof one);
  state_->thread.join();
}

int StopSignals::received() noexcept { return g_received.load(std::memory_order_acquire); }

std::string StopSignals::name(int received) {
  const char* name = ::sigabbrev_np(received);
  return fmt::format("SIG{}", name ? name : "?");
}

void StopSignals::State::wait_for_signals() {
  // Standard output too, with no event asked: a pipe or socket whose reader
  // has gone (`| head`) reports POLLERR or POLLHUP, which ends the run as a
  // signal does, but for received() (stdout_gone says why); a file or a
  // terminal never wakes it.
  pollfd fds[3] = {{signals.get(), POLLIN, 0}, {quit.get(), POLLIN, 0}, {STDOUT_FILENO, 0, 0}};
  for (;;) {
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    if (fds[2].revents != 0) {
      if ((fds[2].revents & (POLLERR | POLLHUP)) != 0) {
        kill_all_children();
        interrupt_remote_runs();
      }
      fds[2].fd = -1;  // once: poll ignores it from now on
      continue;
    }
    signalfd_siginfo info{};
    if (::read(signals.get(), &info, sizeof info) != sizeof info) continue;
    const int signal = static_cast<int>(info.ssi_signo);
    int expected = 0;
    const bool first = g_received.compare_exchange_strong(expected, signal, std::memory_order_acq_rel);
    kill_all_children();
    interrupt_remote_runs();
    if (!first) ::_exit(128 + expected);
  }
}

}  // namespace ipc::bench

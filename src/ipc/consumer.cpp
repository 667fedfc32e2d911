#include "ipc/consumer.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace ipc {
namespace {

using std::chrono::milliseconds;

// How long a consumer that already closed its end gets to finish dying, so
// that the message can say how it ended.
constexpr milliseconds kDeathGrace{1000};

std::string seconds(milliseconds d) { return fmt::format("{:g} s", static_cast<double>(d.count()) / 1000.0); }

}  // namespace

Consumer::Consumer(const SpawnOptions& options, milliseconds timeout)
    : child_(ChildProcess::spawn(options)), timeout_(timeout) {}

Consumer::~Consumer() {
  if (watchdog_) watchdog_->disarm();
  child_.kill_and_reap();
}

void Consumer::await(const std::function<bool()>& ready, std::string_view waiting_for) {
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  while (!ready()) {
    if (child_.wait_for(milliseconds(1))) fail(fmt::format("while waiting for {}", waiting_for));
    if (std::chrono::steady_clock::now() > deadline)
      fail(fmt::format("while waiting for {}", waiting_for), true);
  }
}

void Consumer::arm(std::function<void()> interrupt) {
  watchdog_.emplace(child_, progress_, timeout_, std::move(interrupt));
}

void Consumer::fail(std::string_view what, bool timed_out) {
  if (watchdog_) {
    watchdog_->disarm();
    timed_out = timed_out || watchdog_->trip() == Watchdog::Trip::timed_out;
  }
  if (timed_out) {
    child_.kill_and_reap();
    throw Error(fmt::format("{}: no reply within {}; the consumer was killed", what, seconds(timeout_)));
  }
  if (const auto status = child_.wait_for(kDeathGrace)) {
    throw Error(fmt::format("{}: the consumer {}", what, status->describe()));
  }
  child_.kill_and_reap();
  throw Error(fmt::format("{} (the consumer was still running and has been killed)", what));
}

void Consumer::fail_round_trip(std::string_view what) {
  const std::uint64_t failed = progress_.load(std::memory_order_relaxed) + 1;
  if (watchdog_) watchdog_->disarm();
  // After a timeout, what the transport saw is only the echo of our kill.
  if (watchdog_ && watchdog_->trip() == Watchdog::Trip::timed_out) fail(fmt::format("round trip {}", failed), true);
  fail(fmt::format("round trip {}: {}", failed, what));
}

void Consumer::finish(const std::function<void()>& send_stop) {
  if (watchdog_) {
    watchdog_->disarm();
    if (watchdog_->trip() != Watchdog::Trip::none) fail("before the end of the run");
  }
  guard(send_stop);
  const auto status = child_.wait_for(timeout_);
  if (!status) {
    child_.kill_and_reap();
    throw Error(fmt::format("the consumer did not exit within {} of the stop message; killed", seconds(timeout_)));
  }
  if (!status->success()) throw Error(fmt::format("at the end of the run, the consumer {}", status->describe()));
}

}  // namespace ipc

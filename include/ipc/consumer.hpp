#pragma once
// Consumer: the producer's handle on a running consumer process.
//
// It owns the child and its watchdog, offers the waits a handshake needs
// (each bounded by the timeout and cut short if the child dies), and turns a
// failed round trip into one message that also says what became of the
// consumer.  Destroying it stops the watchdog, then kills and reaps the child.
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "ipc/child_process.hpp"
#include "ipc/error.hpp"
#include "ipc/round_trip_loop.hpp"
#include "ipc/watchdog.hpp"

namespace ipc {

class Consumer {
 public:
  Consumer(const SpawnOptions& options, std::chrono::milliseconds timeout);
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;
  ~Consumer();

  // Handshake waits: return once `fd` is readable (or `ready()` holds); throw
  // ipc::Error if the consumer exits first or the timeout passes.  ready()
  // is polled every millisecond.  On Windows `fd` is a pipe (PeekNamedPipe,
  // polled like ready()); sockets and events there wait through await().
  void await_readable(NativeHandle fd, std::string_view waiting_for);
  void await(const std::function<bool()>& ready, std::string_view waiting_for);

  // Starts the watchdog.  `interrupt` runs on its thread once the consumer is
  // dead, and must make the producer's pending wait return.
  void arm(std::function<void()> interrupt);

  // Runs `batch` over `link` (ipc/round_trip_loop.hpp), rethrowing any
  // ipc::Error with the number of the round trip that failed and the
  // consumer's fate.  `seq` is the last sequence number sent.
  template <class Link>
  void run(Link& link, Message& message, std::uint64_t& seq, Batch& batch) {
    try {
      run_batch(link, message, seq, progress_, batch);
    } catch (const Error& e) {
      fail_round_trip(e.what());
    }
  }

  // Runs `step` (a handshake or the stop), rethrowing any ipc::Error with the
  // consumer's fate.
  template <class Body>
  void guard(Body&& step) {
    try {
      step();
    } catch (const Error& e) {
      fail(e.what());
    }
  }

  // Ends the run: disarms, calls `send_stop`, waits for a clean exit.
  void finish(const std::function<void()>& send_stop);
  // Stops the watchdog (idempotent): for a runner whose one stop ends
  // several consumers, before it sends it (ipc/shared_fanout_runner.hpp).
  void disarm() noexcept {
    if (watchdog_) watchdog_->disarm();
  }

  // For a runner that drives its own loop (ipc/fanout_runner.hpp): round
  // trip `seq` has been verified (the watchdog's progress), and the failure
  // of the round trip after the last verified one, thrown as run() throws.
  void progressed(std::uint64_t seq) noexcept { progress_.store(seq, std::memory_order_relaxed); }
  [[noreturn]] void fail_round_trip(std::string_view what);

  [[nodiscard]] pid_t pid() const noexcept { return child_.pid(); }
  [[nodiscard]] std::chrono::milliseconds timeout() const noexcept { return timeout_; }

 private:
  // Throws `what` plus what became of the consumer; `timed_out`: it never answered.
  [[noreturn]] void fail(std::string_view what, bool timed_out = false);

  ChildProcess child_;
  std::chrono::milliseconds timeout_;
  std::optional<Watchdog> watchdog_;
  // The last verified round trip.  On a cache line of its own: stored every
  // round trip, read by the watchdog.
  alignas(64) std::atomic<std::uint64_t> progress_{0};
};

}  // namespace ipc

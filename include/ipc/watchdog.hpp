#pragma once
// Watchdog: notices a consumer that died or stopped answering, and unblocks
// the producer.
//
// A thread that sleeps in poll() on the child's pidfd (Windows:
// WaitForMultipleObjects on the process handle), waking every
// timeout/20 to see whether the producer's progress counter moved.  The timed
// loop pays one relaxed store per round trip for this; the thread costs one
// wake-up per tick.  When it trips (the child exited, or no progress for
// `timeout`), it kills the child, waits for it to be gone and calls
// `interrupt`, which must unblock whatever wait the producer is in.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <thread>

#include "ipc/child_process.hpp"

namespace ipc {

class Watchdog {
 public:
  enum class Trip : int { none, consumer_exited, timed_out };

  Watchdog(const ChildProcess& child, const std::atomic<std::uint64_t>& progress,
           std::chrono::milliseconds timeout, std::function<void()> interrupt);
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog() { disarm(); }

  // Stops watching; returns once the thread has ended.  Idempotent.
  void disarm() noexcept;
  [[nodiscard]] Trip trip() const noexcept { return trip_.load(std::memory_order_acquire); }

 private:
  // Per platform (linux/watchdog.cpp, windows/watchdog.cpp): the thread; the
  // event that ends it; the wait until a killed child is gone.
  void watch();
  static UniqueNative make_stop();
  void await_exit() const noexcept;
  // Once tripped: records why, kills the child, waits until it is gone (only
  // then may `interrupt` touch state the child shared with us) and interrupts.
  void fire(Trip trip);
  // How often the thread looks at progress_: timeout/20, within [1, 100] ms.
  [[nodiscard]] std::chrono::milliseconds tick() const noexcept;
  // Called every tick: true once progress_ has not moved for timeout_.
  [[nodiscard]] bool stalled() noexcept;

  const ChildProcess& child_;
  const std::atomic<std::uint64_t>& progress_;
  std::chrono::milliseconds timeout_;
  std::function<void()> interrupt_;
  UniqueNative stop_;  // set to end the thread: an eventfd (Linux), a manual-reset event (Windows)
  std::atomic<Trip> trip_{Trip::none};
  std::uint64_t last_seen_ = 0;                         // progress_ at the last change
  std::chrono::steady_clock::time_point last_change_;  // when it changed
  std::thread thread_;
};

}  // namespace ipc

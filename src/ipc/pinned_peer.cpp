#include "pinned_peer.hpp"

#include <fmt/format.h>

#include <utility>

#include "ipc/error.hpp"
#include "ipc/placement.hpp"

namespace ipc::detail {

PinnedPeer::PinnedPeer(int cpu, std::function<void()> body, std::function<void()> stop) : stop_(std::move(stop)) {
  thread_ = std::thread([this, cpu, body = std::move(body)] {
    try {
      const ScopedPin pin(cpu);
      // release: the caller that sees `running` sees a pinned thread.
      state_.store(running, std::memory_order_release);
      body();
    } catch (...) {
      error_ = std::current_exception();
    }
    // release: error_ is written before anyone who sees `done` reads it.
    state_.store(done, std::memory_order_release);
  });
  const auto deadline = std::chrono::steady_clock::now() + kPeerTimeout;
  // Yields rather than sleeps: at placement `same` this thread holds the CPU
  // the peer needs in order to start.
  while (state_.load(std::memory_order_acquire) == starting) {
    if (std::chrono::steady_clock::now() > deadline) fail(fmt::format("the thread on CPU {} did not start", cpu));
    std::this_thread::yield();
  }
  if (state_.load(std::memory_order_acquire) == done) finish();
}

PinnedPeer::~PinnedPeer() { stop_and_join(); }

void PinnedPeer::stop_and_join() noexcept {
  if (!thread_.joinable()) return;
  stop_();
  thread_.join();
}

void PinnedPeer::finish() {
  stop_and_join();
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

void PinnedPeer::fail(const std::string& what) {
  finish();
  throw Error(what);
}

}  // namespace ipc::detail

#pragma once
// PinnedPeer: the other side of a floor measurement (floor.hpp), a thread
// pinned to one CPU that answers the calling thread until told to stop.
// Its failures (a pin refused, a wait that timed out) reach the calling
// thread as the ipc::Error they were, and it is always stopped and joined,
// whatever the calling thread throws.  Private to ipc_core.
#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <string>
#include <thread>

namespace ipc::detail {

// How long any wait of a floor measurement may see no answer before it
// gives up: far beyond a round trip (at most ~50 us on a VM) or a time
// slice a loaded CPU takes away (a few ms), short enough to fail visibly.
inline constexpr std::chrono::seconds kPeerTimeout{2};

class PinnedPeer {
 public:
  // Starts a thread that pins itself to `cpu` and runs `body`; `stop` must
  // make `body` return (it is called from the calling thread).  Returns once
  // the thread is pinned; throws ipc::Error if it could not be, or if it did
  // not start within kPeerTimeout.
  PinnedPeer(int cpu, std::function<void()> body, std::function<void()> stop);
  PinnedPeer(const PinnedPeer&) = delete;
  PinnedPeer& operator=(const PinnedPeer&) = delete;
  ~PinnedPeer();

  // Stops and joins the thread; rethrows what `body` threw, if anything.
  void finish();
  // Stops and joins the thread, then rethrows what `body` threw, or else
  // throws ipc::Error(what): the caller's wait for it timed out, and the
  // peer's own failure, if it had one, is the better explanation.
  [[noreturn]] void fail(const std::string& what);

 private:
  enum State : int { starting, running, done };
  void stop_and_join() noexcept;

  std::function<void()> stop_;
  std::atomic<int> state_{starting};
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace ipc::detail

#pragma once
// Runner: the one interface every transport implements.
//
// Constructing a Runner (through the registry) spawns the transport's
// consumer, or connects to a remote one, and completes the ready handshake;
// run() is the only thing ipc_bench times.  The loop lives inside the
// transport (ipc/round_trip_loop.hpp), so the timed code pays no virtual
// call per round trip.  A destroyed Runner has reaped its consumer and
// removed every named resource it created.
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "ipc/batch.hpp"
#include "ipc/child_process.hpp"
#include "ipc/message.hpp"

namespace ipc {

struct RunnerOptions {
  std::size_t payload = 4;                  // bytes per ping and per pong
  // The consumer to spawn: its executable, or a command whose words come
  // before the transport's own arguments (ipc_bench --consumer-cmd).
  Command consumer_path;
  std::optional<int> consumer_cpu;          // pin the consumer here
  std::chrono::milliseconds timeout{5000};  // longest wait for any one reply
  Check check = Check::sampled;             // how much of every pong is compared (ipc/message.hpp)
};

// A consumer started by hand, maybe on another machine (ipc_bench --remote).
struct RemoteOptions {
  std::size_t payload = 4;                  // bytes per ping and per pong
  std::string endpoint;                     // the consumer's A.B.C.D:PORT
  std::string token;                        // its --token
  std::chrono::milliseconds timeout{5000};  // longest wait: connect, answer, any one reply, the stop
  Check check = Check::sampled;             // how much of every pong is compared (ipc/message.hpp)
};

class Runner {
 public:
  virtual ~Runner() = default;

  // Performs batch.count round trips, checking every pong, timed as
  // batch.timing says (ipc/batch.hpp).  Throws ipc::Error naming the failed
  // round trip and what became of the consumer.
  virtual void run(Batch& batch) = 0;

  // `count` round trips without timestamps (warm-up, tests).  Throws as run().
  void round_trips(std::uint64_t count) {
    Batch batch{count};
    run(batch);
  }

  // Ends the run: sends the stop message and waits for the consumer to exit
  // cleanly.  Throws ipc::Error otherwise.
  virtual void finish() = 0;

  // The spawned consumer, or -1 for a remote one.
  [[nodiscard]] virtual pid_t consumer_pid() const noexcept = 0;

 protected:
  Runner() = default;
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;
};

}  // namespace ipc

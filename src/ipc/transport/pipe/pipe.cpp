#include "ipc/transport/pipe/pipe.hpp"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "ipc/consumer.hpp"
#include "ipc/fanout_runner.hpp"
#include "ipc/io.hpp"
#include "ipc/message.hpp"
#include "ipc/protocol.hpp"
#include "ipc/spawned_runner.hpp"
#include "ipc/tick_clock.hpp"

namespace ipc::transport::pipe {
namespace {

// The producer's end: a pipe each way, the consumer's stdin and stdout.
class Pipes {
 public:
  explicit Pipes(const RunnerOptions&) {}

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    return {options.consumer_path,
            {"--payload", std::to_string(options.payload)},
            {{to_consumer_.read_end.get(), 0}, {from_consumer_.write_end.get(), 1}},
            options.consumer_cpu};
  }

  std::function<void()> hand_over(Consumer& consumer) {
    // Only the consumer may hold its ends: its death must mean EOF for us.
    to_consumer_.read_end.reset();
    from_consumer_.write_end.reset();
    consumer.await_readable(from_consumer_.read_end.get(), "READY on the consumer's stdout");
    std::byte ready[kReadyMessage.size()];
    consumer.guard([&] {
      if (read_exact(from_consumer_.read_end.get(), ready) == ReadResult::eof)
        throw Error("handshake failed: the consumer closed its stdout");
      expect_ready(ready);
    });
    // A dead consumer closes its end of both pipes: our reads see EOF (a
    // broken pipe, on Windows), so the watchdog has nothing to interrupt.
    return [] {};
  }

  StreamLink link() const {
    return {to_consumer_.write_end.get(), from_consumer_.read_end.get(), "the consumer closed its stdout"};
  }

  // End of file on the consumer's stdin.
  void stop() { to_consumer_.write_end.reset(); }

 private:
  AnonymousPipe to_consumer_, from_consumer_;
};

}  // namespace

std::unique_ptr<Runner> start(const RunnerOptions& options) { return std::make_unique<SpawnedRunner<Pipes>>(options); }

std::unique_ptr<Fanout> start_fanout(const FanoutOptions& options) {
  return std::make_unique<FanoutRunner<Pipes>>(options);
}

int serve_stamped(std::size_t payload) {
  if (payload < kFanoutMinPayload)
    throw Error(fmt::format("--stamp needs a payload of at least {} bytes, got {}", kFanoutMinPayload, payload));
  // Chosen and calibrated before READY, as the producer's was: the same clock.
  const TickClock& clock = TickClock::instance();
  const NativeHandle in = standard_input(), out = standard_output();
  write_all(out, ready_bytes());
  std::vector<std::byte> buf(payload);
  while (read_exact(in, buf) == ReadResult::complete) {
    stamp_delivery(clock, buf);
    write_all(out, buf);
  }
  return 0;
}

int serve(std::size_t payload) { return serve(payload, standard_input(), standard_output()); }

int serve(std::size_t payload, NativeHandle in, NativeHandle out) {
  write_all(out, ready_bytes());
  echo_stream(in, out, payload);
  return 0;
}

}  // namespace ipc::transport::pipe

#include "ipc/transport/pipe/pipe.hpp"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "ipc/consumer.hpp"
#include "ipc/io.hpp"
#include "ipc/message.hpp"
#include "ipc/protocol.hpp"

namespace ipc::transport::pipe {
namespace {

class PipeRunner final : public Runner {
 public:
  explicit PipeRunner(const RunnerOptions& options)
      : message_(options.payload, options.check), consumer_(spawn_options(options), options.timeout) {
    // Only the consumer may hold its ends: its death must mean EOF for us.
    to_consumer_.read_end.reset();
    from_consumer_.write_end.reset();
    consumer_.await_readable(from_consumer_.read_end.get(), "READY on the consumer's stdout");
    std::byte ready[kReadyMessage.size()];
    consumer_.guard([&] {
      if (read_exact(from_consumer_.read_end.get(), ready) == ReadResult::eof)
        throw Error("handshake failed: the consumer closed its stdout");
      expect_ready(ready);
    });
    // A dead consumer closes its end of both pipes: our reads see EOF (a
    // broken pipe, on Windows).
    consumer_.arm([] {});
  }

  void run(Batch& batch) override {
    StreamLink link{to_consumer_.write_end.get(), from_consumer_.read_end.get(), "the consumer closed its stdout"};
    consumer_.run(link, message_, seq_, batch);
  }

  void finish() override {
    consumer_.finish([&] { to_consumer_.write_end.reset(); });
  }

  [[nodiscard]] pid_t consumer_pid() const noexcept override { return consumer_.pid(); }

 private:
  SpawnOptions spawn_options(const RunnerOptions& options) const {
    return {options.consumer_path,
            {"--payload", std::to_string(options.payload)},
            {{to_consumer_.read_end.get(), 0}, {from_consumer_.write_end.get(), 1}},
            options.consumer_cpu};
  }

  AnonymousPipe to_consumer_, from_consumer_;
  Message message_;
  std::uint64_t seq_ = 0;
  Consumer consumer_;  // last: stopped and reaped before the pipes close
};

}  // namespace

std::unique_ptr<Runner> start(const RunnerOptions& options) { return std::make_unique<PipeRunner>(options); }

int serve(std::size_t payload) { return serve(payload, standard_input(), standard_output()); }

int serve(std::size_t payload, NativeHandle in, NativeHandle out) {
  write_all(out, ready_bytes());
  echo_stream(in, out, payload);
  return 0;
}

}  // namespace ipc::transport::pipe

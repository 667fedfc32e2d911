// pipe on Windows: two anonymous pipes, the consumer's stdin and stdout.
#include <fmt/format.h>

#include "handle_io.hpp"
#include "ipc/consumer.hpp"
#include "ipc/message.hpp"
#include "ipc/protocol.hpp"
#include "ipc/windows/error.hpp"
#include "ipc/windows/transports.hpp"

namespace ipc::windows {
namespace {

struct Pipe {
  UniqueHandle read_end, write_end;
  Pipe() {
    HANDLE r = nullptr, w = nullptr;
    // Not inheritable: ChildProcess lends the child its ends for the spawn only.
    if (!::CreatePipe(&r, &w, nullptr, 0)) throw_last_error("CreatePipe");
    read_end.reset(r);
    write_end.reset(w);
  }
};

class PipeRunner final : public Runner {
 public:
  explicit PipeRunner(const RunnerOptions& options)
      : message_(options.payload, options.check), consumer_(spawn_options(options), options.timeout) {
    // Only the consumer may hold its ends: its death must mean a broken pipe for us.
    to_consumer_.read_end.reset();
    from_consumer_.write_end.reset();
    consumer_.await([&] { return available(from_consumer_.read_end.get()) >= kReadyMessage.size(); },
                    "READY on the consumer's stdout");
    std::byte ready[kReadyMessage.size()];
    consumer_.guard([&] {
      if (read_exact(from_consumer_.read_end.get(), ready) == ReadResult::eof)
        throw Error("handshake failed: the consumer closed its stdout");
      expect_ready(ready);
    });
    // A dead consumer's ends close with it: our ReadFile fails with a broken pipe.
    consumer_.arm([] {});
  }

  void run(Batch& batch) override {
    HandleLink link{to_consumer_.write_end.get(), from_consumer_.read_end.get(), "the consumer closed its stdout"};
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

  Pipe to_consumer_, from_consumer_;
  Message message_;
  std::uint64_t seq_ = 0;
  Consumer consumer_;  // last: stopped and reaped before the pipes close
};

}  // namespace

std::unique_ptr<Runner> start_pipe(const RunnerOptions& options) { return std::make_unique<PipeRunner>(options); }

int serve_pipe(std::size_t payload) {
  const HANDLE in = ::GetStdHandle(STD_INPUT_HANDLE), out = ::GetStdHandle(STD_OUTPUT_HANDLE);
  write_all(out, ready_bytes());
  std::vector<std::byte> buffer(payload);
  while (read_exact(in, buffer) == ReadResult::complete) write_all(out, buffer);
  return 0;
}

}  // namespace ipc::windows

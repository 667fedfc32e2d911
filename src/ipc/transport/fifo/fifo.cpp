#include "ipc/transport/fifo/fifo.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "ipc/consumer.hpp"
#include "ipc/io.hpp"
#include "ipc/message.hpp"
#include "ipc/private_directory.hpp"
#include "ipc/protocol.hpp"
#include "ipc/spawned_runner.hpp"
#include "ipc/unique_fd.hpp"

namespace ipc::transport::fifo {
namespace {

// Opening a FIFO blocks until its other end is opened too: O_RDONLY waits for
// a writer, O_WRONLY for a reader.  A producer that opened its ends plainly
// would hang in open() for good if the consumer never came, out of reach of
// the handshake timeout (only a descriptor can be polled).  So the producer
// never blocks in open():
//
//  - pong, our read end: O_RDONLY | O_NONBLOCK returns at once.  poll() on it
//    then waits for READY, bounded by the timeout and cut short by the
//    consumer's exit like every handshake: with no writer yet it reports
//    nothing (Linux reports POLLHUP only once a writer has come and gone).
//  - ping, our write end: O_WRONLY | O_NONBLOCK fails (ENXIO) while there is
//    no reader, so we first open it O_RDWR, which Linux never blocks (POSIX
//    leaves it undefined).  That descriptor is also a reader, so the
//    consumer's open(O_RDONLY) returns at once too, and so does its
//    open(O_WRONLY) of pong, whose reader we already hold.
//
// After READY the consumer holds both FIFOs, and we swap the O_RDWR
// placeholder for a plain write end.  We must hold no reader of ping and no
// writer of pong while serving: the consumer's death must be EPIPE and EOF
// for us, and our closing ping must be EOF, the stop, for the consumer.

std::string make_fifo(std::string path) {
  if (::mkfifo(path.c_str(), 0600) != 0) throw_errno("mkfifo " + path);
  return path;
}

UniqueFd open_fifo(const std::string& path, int flags) {
  UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC));
  if (!fd) throw_errno("open " + path);
  return fd;
}

void set_blocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) throw_errno("fcntl");
}

// The producer's end: a FIFO each way in a private directory.
class Fifos {
 public:
  explicit Fifos(const RunnerOptions&)
      : directory_(PrivateDirectory::create()),
        ping_path_(make_fifo(directory_.entry("ping"))),
        pong_path_(make_fifo(directory_.entry("pong"))),
        to_consumer_(open_fifo(ping_path_, O_RDWR)),  // a placeholder, replaced after READY
        from_consumer_(open_fifo(pong_path_, O_RDONLY | O_NONBLOCK)) {}

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    return {options.consumer_path,
            {"--dir", directory_.path(), "--payload", std::to_string(options.payload)},
            {},
            options.consumer_cpu};
  }

  std::function<void()> hand_over(Consumer& consumer) {
    consumer.await_readable(from_consumer_.get(), "READY on the pong FIFO");
    set_blocking(from_consumer_.get());
    std::byte ready[kReadyMessage.size()];
    consumer.guard([&] {
      if (read_exact(from_consumer_.get(), ready) == ReadResult::eof)
        throw Error("handshake failed: the consumer closed the pong FIFO");
      expect_ready(ready);
    });
    // The consumer opened ping before it said READY: a write-only open finds
    // a reader and returns at once.
    UniqueFd writer = open_fifo(ping_path_, O_WRONLY | O_NONBLOCK);
    set_blocking(writer.get());
    to_consumer_ = std::move(writer);  // closes the placeholder, our only reader of ping
    directory_.remove();               // both sides have both FIFOs open: the names have no further use
    // A dead consumer closes its ends: our read sees EOF, our write EPIPE.
    return [] {};
  }

  StreamLink link() const {
    return {to_consumer_.get(), from_consumer_.get(), "the consumer closed the pong FIFO"};
  }

  // End of file on ping.
  void stop() { to_consumer_.reset(); }

 private:
  PrivateDirectory directory_;
  std::string ping_path_, pong_path_;
  UniqueFd to_consumer_, from_consumer_;
};

}  // namespace

std::unique_ptr<Runner> start(const RunnerOptions& options) { return std::make_unique<SpawnedRunner<Fifos>>(options); }

int serve(const std::string& directory, std::size_t payload) {
  // Neither open blocks: the producer already holds a writer of ping and a
  // reader of pong.  Both must be open before READY.
  const UniqueFd in = open_fifo(directory + "/ping", O_RDONLY);
  const UniqueFd out = open_fifo(directory + "/pong", O_WRONLY);
  write_all(out.get(), ready_bytes());
  echo_stream(in.get(), out.get(), payload);
  return 0;
}

}  // namespace ipc::transport::fifo

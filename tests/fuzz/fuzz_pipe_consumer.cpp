// libFuzzer target: the consumer side of the message handling.  The first
// byte picks the payload size (1..256); the rest arrives on the consumer's
// input as the pings, in any shape (short, overlong, cut in the middle).
// The consumer must echo whole messages and end with EOF or an ipc::Error:
// never a crash, a hang or another exception.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>

#include "ipc/error.hpp"
#include "ipc/message.hpp"
#include "ipc/transport/pipe/pipe.hpp"
#include "ipc/unique_fd.hpp"

namespace {

// The pipe's buffer holds 64 KiB: larger inputs would block the writer.
constexpr std::size_t kMaxInput = 60 * 1024;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0 || size > kMaxInput) return 0;
  const std::size_t payload = std::size_t{data[0]} + 1;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return 0;
  const ipc::UniqueFd in(fds[0]);
  {
    const ipc::UniqueFd writer(fds[1]);
    if (::write(writer.get(), data + 1, size - 1) != static_cast<ssize_t>(size - 1)) return 0;
  }
  const ipc::UniqueFd out(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  try {
    (void)ipc::transport::pipe::serve(payload, in.get(), out.get());
  } catch (const ipc::Error&) {
  }

  // The producer's check of whatever came back, as the reply to a ping.
  ipc::Message message(payload);
  message.stamp(size);
  const auto reply = std::as_bytes(std::span(data + 1, size - 1));
  try {
    message.verify(reply.first(std::min(reply.size(), payload)), reply.size());
  } catch (const ipc::Error&) {
  }
  return 0;
}

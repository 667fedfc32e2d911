// A boost_cond consumer that serves a few pings, then, holding the pong
// mutex, is killed (`kill`) or stops itself (`stop`): what Boost 1.74's
// non-robust interprocess_mutex makes of a consumer that dies or freezes at
// the worst moment.
//   boost_cond_lock_holder kill|stop --segment NAME --payload N
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "ipc/transport/boost_interprocess/condition_channel.hpp"

namespace {

// The ping at which it holds the lock: past the producer's handshake and
// first batch, so that the producer is mid-run.
constexpr std::uint64_t kHoldAt = 5;

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6 || std::string_view(argv[2]) != "--segment" || std::string_view(argv[4]) != "--payload") {
    std::fputs("usage: boost_cond_lock_holder kill|stop --segment NAME --payload N\n", stderr);
    return 2;
  }
  const int signal = std::string_view(argv[1]) == "stop" ? SIGSTOP : SIGKILL;
  try {
    return ipc::transport::boost_interprocess::serve_channel(
        argv[3], std::strtoull(argv[5], nullptr, 10), [signal](auto& /*pong*/, std::uint64_t seq) {
          if (seq == kHoldAt) ::raise(signal);
        });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "boost_cond_lock_holder: %s\n", e.what());
    return 1;
  }
}

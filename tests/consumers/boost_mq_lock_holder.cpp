// A boost_mq consumer that serves a few pings, then, holding the pong
// queue's own mutex (message_queue's, inside its shared memory), is killed
// (`kill`) or stops itself (`stop`): a consumer that dies or freezes inside
// message_queue's critical section, where Boost 1.74's non-robust
// interprocess_mutex stays locked.
//   boost_mq_lock_holder kill|stop --ping NAME --pong NAME --payload N
#include <signal.h>

#include <algorithm>
#include <boost/interprocess/ipc/message_queue.hpp>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "ipc/protocol.hpp"
#include "ipc/transport/boost_interprocess/queue_mutex.hpp"

namespace {

// The ping at which it holds the lock: past the producer's handshake and
// first round trips, so that the producer is mid-run.
constexpr unsigned kHoldAt = 5;

}  // namespace

int main(int argc, char** argv) {
  if (argc != 8 || std::string_view(argv[2]) != "--ping" || std::string_view(argv[4]) != "--pong" ||
      std::string_view(argv[6]) != "--payload") {
    std::fputs("usage: boost_mq_lock_holder kill|stop --ping NAME --pong NAME --payload N\n", stderr);
    return 2;
  }
  namespace bip = boost::interprocess;
  const int signal = std::string_view(argv[1]) == "stop" ? SIGSTOP : SIGKILL;
  try {
    bip::message_queue in(bip::open_only, argv[3]);
    bip::message_queue out(bip::open_only, argv[5]);
    // Mapped before READY: the producer removes the names once it has READY.
    ipc::transport::boost_interprocess::QueueMutex pong_mutex(argv[5]);
    out.send(ipc::kReadyMessage.data(), ipc::kReadyMessage.size(), 0);
    std::vector<char> buf(in.get_max_msg_size());
    for (unsigned ping = 1;; ++ping) {
      bip::message_queue::size_type received = 0;
      unsigned priority = 0;
      in.receive(buf.data(), buf.size(), received, priority);
      if (received == 0) return 0;
      if (ping == kHoldAt) {
        pong_mutex.get().lock();
        ::raise(signal);
      }
      out.send(buf.data(), received, 0);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "boost_mq_lock_holder: %s\n", e.what());
    return 1;
  }
}

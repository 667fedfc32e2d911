// A pipe consumer that misbehaves on purpose, for the reply-checking tests.
// $FAULTY_CONSUMER = "<fault>:<round trip>", fault one of:
//   stale      answer with the previous round trip's ping
//   corrupt    flip the last byte of the reply
//   short      send all but the last byte, then exit
//   duplicate  send the reply twice
// or "burn:<microseconds>": spin until this process has used that much
// more CPU time before every reply (CPU accounting tests: counted on the
// CPU clock, so a preempted consumer still burns the full amount), or
// "syscalls:<k>": k more system calls before every reply, each a one-byte
// write(2) to /dev/null (a write, so that the read/write-only fallback
// counts them too).
#include <fcntl.h>
#include <unistd.h>

#include <time.h>

#include <cstdint>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "ipc/io.hpp"
#include "ipc/parse.hpp"
#include "ipc/protocol.hpp"

int main(int argc, char** argv) {
  if (argc != 3 || std::strcmp(argv[1], "--payload") != 0) return 2;
  const auto payload = ipc::parse_size(argv[2]);
  const char* spec = std::getenv("FAULTY_CONSUMER");
  if (!payload || !spec || !std::strchr(spec, ':')) return 2;
  const std::string fault(spec, std::strchr(spec, ':'));
  const auto at = ipc::parse_count(std::strchr(spec, ':') + 1);
  if (!at) return 2;

  ipc::write_all(STDOUT_FILENO, ipc::ready_bytes());
  const int dev_null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (dev_null < 0) return 2;
  std::vector<std::byte> buf(*payload), previous(*payload);
  for (std::uint64_t round_trip = 1; ipc::read_exact(STDIN_FILENO, buf) == ipc::ReadResult::complete; ++round_trip) {
    if (fault == "burn") {
      const auto cpu_ns = [] {
        timespec ts{};
        ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
      };
      const std::uint64_t until = cpu_ns() + *at * 1000;
      while (cpu_ns() < until) {
      }
    }
    if (fault == "syscalls") {
      for (std::uint64_t i = 0; i < *at; ++i) {
        if (::write(dev_null, "x", 1) != 1) return 2;
      }
    }
    std::vector<std::byte> reply = buf;
    if (round_trip == *at) {
      if (fault == "stale") reply = previous;
      if (fault == "corrupt") reply.back() ^= std::byte{0x40};
      if (fault == "short") {
        ipc::write_all(STDOUT_FILENO, std::span(reply).first(reply.size() - 1));
        return 0;
      }
      if (fault == "duplicate") ipc::write_all(STDOUT_FILENO, reply);
    }
    ipc::write_all(STDOUT_FILENO, reply);
    previous = buf;
  }
  return 0;
}

// Neighbours: stray datagrams at the udp producer, and two ipc_bench runs at
// once, must not change any result.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <string>
#include <thread>

#include "ipc/consumer_path.hpp"
#include "ipc/inet.hpp"
#include "ipc/registry.hpp"
#include "test_support.hpp"

namespace ipc {
namespace {

// The producer's endpoint, from the consumer's command line (--connect A:P).
std::string producer_endpoint(pid_t consumer) {
  std::ifstream in("/proc/" + std::to_string(consumer) + "/cmdline");
  std::string arg, previous;
  while (std::getline(in, arg, '\0')) {
    if (previous == "--connect") return arg;
    previous = arg;
  }
  return {};
}

TEST(Isolation, UdpProducerIgnoresStrayDatagrams) {
  const Transport& udp = *find_transport("udp");
  const auto runner = udp.start({64, consumer_path(udp.consumer), std::nullopt, std::chrono::seconds(5)});
  const sockaddr_in target = parse_endpoint(producer_endpoint(runner->consumer_pid()));

  std::atomic<bool> done{false};
  std::atomic<int> sent{0};
  std::thread stranger([&] {
    const UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    std::byte junk[64] = {};  // a plausible pong: sequence 0, zero bytes
    while (!done.load()) {
      if (::sendto(fd.get(), junk, sizeof junk, 0, reinterpret_cast<const sockaddr*>(&target), sizeof target) > 0)
        sent.fetch_add(1);
    }
  });
  EXPECT_NO_THROW(runner->round_trips(20'000));
  done = true;
  stranger.join();
  EXPECT_GT(sent.load(), 0);
  EXPECT_NO_THROW(runner->finish());
}

TEST(Isolation, TwoRunsAtOnceBothSucceed) {
  std::vector<std::string> all;
  for (const Transport& t : transports()) all.emplace_back(t.name);
  std::string list;
  for (const auto& name : all) list += (list.empty() ? "" : ",") + name;
  // Every transport twice over, two runs at once: in a sanitizer tree, with
  // a hog on every CPU, 2000 round trips each took longer than two minutes.
  // Fewer round trips there, and the limit ctest allows such a tree.
  const std::string round_trips = test::build_slowdown() > 1 ? "200" : "2000";
  const auto limit = std::chrono::seconds(test::build_slowdown() > 1 ? 540 : 110);
  const auto run = [&] {
    return test::run_command(
        {test::built("ipc_bench"), "-t", list, "-p", "4,4K", "--placement", "none", "-n", round_trips}, limit);
  };
  auto first = std::async(std::launch::async, run);
  auto second = std::async(std::launch::async, run);
  const auto a = first.get(), b = second.get();
  EXPECT_EQ(a.exit_code, 0) << a.err << a.out;
  EXPECT_EQ(b.exit_code, 0) << b.err << b.out;
}

}  // namespace
}  // namespace ipc

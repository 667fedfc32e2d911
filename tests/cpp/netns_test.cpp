// Across a network, for real: two network namespaces joined by a veth pair,
// the consumer started by hand in one (tcp_consumer or udp_consumer --listen
// 10.231.0.2:7411), ipc_bench --remote in the other.  The traffic never
// leaves the two namespaces.  Needs root and ip(8) from iproute2; skipped
// with the reason otherwise.  The namespaces carry this process's pid in
// their names, so that concurrent runs do not meet, and are deleted whatever
// happens (and, at the next run, if a killed run left them behind).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ipc/consumer_path.hpp"
#include "ipc/registry.hpp"
#include "remote_support.hpp"
#include "test_support.hpp"

namespace ipc {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr const char* kProducerAddress = "10.231.0.1/24";
constexpr const char* kConsumerAddress = "10.231.0.2";
constexpr const char* kEndpoint = "10.231.0.2:7411";
constexpr const char* kToken = "T";

// Two namespaces and the veth pair between them; deleted on destruction.
class NamespacePair {
 public:
  NamespacePair() {
    const auto found = find_executable("ip");
    if (!found) {
      skip_ = "ip(8) is not installed (apt-get install iproute2)";
      return;
    }
    ip_ = *found;
    remove_leftovers();
    const std::string tag = "ipcb-" + std::to_string(::getpid());
    const std::string veth = "ipcb" + std::to_string(::getpid());
    if (const auto r = ip({"netns", "add", tag + "-p"}); r.exit_code != 0) {
      skip_ = "cannot create a network namespace (ip netns add: " + trimmed(r.err) + ")";
      return;
    }
    producer_ = tag + "-p";
    if (const auto r = ip({"netns", "add", tag + "-c"}); r.exit_code != 0) {
      error_ = "ip netns add: " + r.err;
      return;
    }
    consumer_ = tag + "-c";
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"link", "add", veth + "p", "netns", producer_, "type", "veth", "peer", "name", veth + "c", "netns",
              consumer_},
             {"-n", producer_, "addr", "add", kProducerAddress, "dev", veth + "p"},
             {"-n", consumer_, "addr", "add", std::string(kConsumerAddress) + "/24", "dev", veth + "c"},
             {"-n", producer_, "link", "set", veth + "p", "up"},
             {"-n", consumer_, "link", "set", veth + "c", "up"},
             {"-n", producer_, "link", "set", "lo", "up"},
             {"-n", consumer_, "link", "set", "lo", "up"},
         }) {
      if (const auto r = ip(args); r.exit_code != 0) {
        error_ = "ip " + testing::PrintToString(args) + ": " + r.err;
        return;
      }
    }
  }
  NamespacePair(const NamespacePair&) = delete;
  NamespacePair& operator=(const NamespacePair&) = delete;
  ~NamespacePair() {
    for (const std::string& ns : {consumer_, producer_})
      if (!ns.empty()) (void)ip({"netns", "del", ns});
  }

  [[nodiscard]] const std::string& skip_reason() const noexcept { return skip_; }
  [[nodiscard]] const std::string& error() const noexcept { return error_; }

  // `argv` run inside the producer's or the consumer's namespace.
  [[nodiscard]] std::vector<std::string> in_producer(const std::vector<std::string>& argv) const {
    return inside(producer_, argv);
  }
  [[nodiscard]] std::vector<std::string> in_consumer(const std::vector<std::string>& argv) const {
    return inside(consumer_, argv);
  }

 private:
  test::CommandResult ip(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{ip_};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run_command(argv, 30s);
  }

  std::vector<std::string> inside(const std::string& ns, const std::vector<std::string>& argv) const {
    std::vector<std::string> full{ip_, "netns", "exec", ns};
    full.insert(full.end(), argv.begin(), argv.end());
    return full;
  }

  // Namespaces of earlier runs that were killed before they could clean up:
  // "ipcb-<pid>-p|c" whose pid is gone.
  void remove_leftovers() const {
    const auto listed = ip({"netns", "list"});
    for (const std::string& line : test::lines(listed.out)) {
      // "ipcb-123-p" or "ipcb-123-p (id: 4)"
      const std::string name = line.substr(0, line.find(' '));
      if (!name.starts_with("ipcb-") || name.size() < 8 || name[name.size() - 2] != '-' ||
          (name.back() != 'p' && name.back() != 'c'))
        continue;
      const std::string pid = name.substr(5, name.size() - 7);
      if (pid.empty() || pid.size() > 9 || pid.find_first_not_of("0123456789") != std::string::npos) continue;
      if (!test::process_exists(std::stoi(pid))) (void)ip({"netns", "del", name});
    }
  }

  static std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
  }

  std::string ip_;
  std::string skip_, error_;
  std::string producer_, consumer_;
};

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

class NetnsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to create network namespaces (ip netns); skipped";
    pair_.emplace();
    if (!pair_->skip_reason().empty()) GTEST_SKIP() << pair_->skip_reason() << "; skipped";
    ASSERT_EQ(pair_->error(), "");
  }

  const Transport& transport() const { return *find_transport(GetParam()); }

  test::CommandResult ipc_bench(std::vector<std::string> args) const {
    args.insert(args.begin(), test::built("ipc_bench"));
    return test::run_command(pair_->in_producer(args), 120s);
  }

  std::optional<NamespacePair> pair_;
  const fs::path json_ = fs::temp_directory_path() / ("ipc_bench_netns_test_" + std::to_string(::getpid()) + ".json");

  void TearDown() override { fs::remove(json_); }
};

TEST_P(NetnsTest, RemoteRunsAcrossAVethPairAndAWrongTokenIsRefused) {
  test::ListeningConsumer consumer(pair_->in_consumer(
      {test::built(std::string(transport().consumer)), "--listen", kEndpoint, "--token", kToken}));
  ASSERT_EQ(consumer.endpoint(), kEndpoint);

  // The run of the bar, with a fixed count to keep it short.
  auto result = ipc_bench({"-t", GetParam(), "--remote", kEndpoint, "--token", kToken, "-p", "4,1K", "-n", "2000",
                           "--warmup", "200", "--json", json_.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  const nlohmann::json json = read_json(json_);
  EXPECT_EQ(json.at("context").at("consumer"), std::string("remote ") + kEndpoint);
  ASSERT_EQ(json.at("benchmarks").size(), 2u);
  for (const auto& b : json.at("benchmarks")) {
    EXPECT_FALSE(b.contains("error_occurred")) << b.dump();
    EXPECT_EQ(b.at("iterations"), 2000);
    // Printed, never asserted: the machine is shared.
    std::printf("[ veth ] %s: %.1f us per round trip (p50 %.1f us)\n", b.at("name").get<std::string>().c_str(),
                b.at("real_time").get<double>() / 1000, b.at("p50_ns").get<double>() / 1000);
  }
  // Round trips 1..200 warm-up, then the 2000 timed ones: one pass, no second one.
  EXPECT_NE(consumer.await_line(GetParam() + " payload 4: 2200 round trips, ended by the producer"), "");
  EXPECT_NE(consumer.await_line(GetParam() + " payload 1024: 2200 round trips, ended by the producer"), "");

  // A wrong token: refused with a clear message on both sides...
  result = ipc_bench({"-t", GetParam(), "--remote", kEndpoint, "--token", "wrong", "-n", "100"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(test::unwrapped(result.out).find(std::string("the remote consumer at ") + kEndpoint + " refused the run: bad token"),
            std::string::npos)
      << result.out << result.err;
  EXPECT_NE(consumer.await_line("refused: bad token"), "");
  // ...and the consumer serves the next producer.
  result = ipc_bench({"-t", GetParam(), "--remote", kEndpoint, "--token", kToken, "-n", "100", "--warmup", "0"});
  EXPECT_EQ(result.exit_code, 0) << result.err << result.out;
  EXPECT_NE(consumer.await_line("payload 4: 100 round trips, ended by the producer"), "");

  // Bound to 10.231.0.2 only: not reachable through the consumer's own loopback.
  result = test::run_command(pair_->in_consumer({test::built("ipc_bench"), "-t", GetParam(), "--remote",
                                                  "127.0.0.1:7411", "--token", kToken, "-n", "10", "--timeout", "1"}),
                             60s);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(test::unwrapped(result.out).find(GetParam() == "udp" ? "is not listening" : "Connection refused"), std::string::npos)
      << result.out;
}

INSTANTIATE_TEST_SUITE_P(Veth, NetnsTest, ::testing::Values("tcp_nodelay", "tcp_nagle", "udp"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ipc

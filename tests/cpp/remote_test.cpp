// Remote consumers over loopback (no privileges needed; netns_test.cpp runs
// the same across two network namespaces): tcp_consumer and udp_consumer
// --listen serve one run after another, check the token before any timed
// traffic, refuse a second producer while busy, and a dead or silent consumer
// is an error within the timeout, never a hang.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "ipc/child_process.hpp"
#include "ipc/error.hpp"
#include "ipc/inet.hpp"
#include "ipc/io.hpp"
#include "ipc/registry.hpp"
#include "ipc/remote.hpp"
#include "remote_support.hpp"
#include "test_support.hpp"

namespace ipc {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr const char* kToken = "s3cret-T0ken";

std::vector<std::string> listen_command(const Transport& t, const std::string& address = "127.0.0.1:0",
                                        const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv{test::built(std::string(t.consumer)), "--listen", address, "--token", kToken};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

class RemoteTest : public ::testing::TestWithParam<std::string> {
 protected:
  const Transport& transport() const { return *find_transport(GetParam()); }
  bool is_udp() const { return GetParam() == "udp"; }

  std::unique_ptr<Runner> connect(const test::ListeningConsumer& consumer, std::size_t payload,
                                  const std::string& token = kToken, std::chrono::milliseconds timeout = 5s) const {
    return transport().remote({payload, consumer.endpoint(), token, timeout});
  }

  // The error the run's construction or round trips end with.
  template <class Body>
  static std::string error_of(Body&& body) {
    try {
      body();
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  }
};

TEST_P(RemoteTest, ServesOneRunAfterAnotherAtSeveralPayloads) {
  test::ListeningConsumer consumer(listen_command(transport()));
  for (const std::size_t payload : {std::size_t{1}, std::size_t{4}, std::size_t{64}, std::size_t{4096},
                                    std::min<std::size_t>(transport().max_payload, 1 << 20)}) {
    SCOPED_TRACE(testing::Message() << "payload " << payload);
    const auto runner = connect(consumer, payload);
    EXPECT_EQ(runner->consumer_pid(), -1);
    runner->round_trips(100);
    runner->round_trips(100);  // sequence numbers carry on across calls
    runner->finish();
    const std::string line = consumer.await_line("ended by the producer");
    EXPECT_NE(line.find(GetParam() + " payload " + std::to_string(payload) + ": 200 round trips"), std::string::npos)
        << line;
  }
}

TEST_P(RemoteTest, WrongTokenIsRefusedOnBothSidesAndTheConsumerServesOn) {
  test::ListeningConsumer consumer(listen_command(transport()));
  for (const std::string& token : std::vector<std::string>{"wrong", std::string(kToken) + "x", std::string(kToken).substr(1)}) {
    const std::string what = error_of([&] { (void)connect(consumer, 4, token); });
    EXPECT_EQ(what, "the remote consumer at " + consumer.endpoint() + " refused the run: bad token");
    EXPECT_NE(consumer.await_line("refused: bad token"), "");
  }
  const auto runner = connect(consumer, 4);
  runner->round_trips(10);
  runner->finish();
  EXPECT_NE(consumer.await_line("10 round trips, ended by the producer"), "");
}

// Raw hellos, as a producer in another language might get them wrong.
std::string answer_to(const std::string& transport, const std::string& endpoint, const std::string& hello) {
  const bool udp = transport == "udp";
  const UniqueFd fd(::socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0));
  set_io_timeout(fd.get(), 5s);
  connect_to(fd.get(), parse_endpoint(endpoint));
  write_all(fd.get(), bytes_of(hello));
  char answer[kMaxHello] = {};
  const ssize_t r = ::recv(fd.get(), answer, sizeof answer, 0);
  return r < 0 ? std::string("recv failed") : std::string(answer, static_cast<std::size_t>(r));
}

TEST_P(RemoteTest, MalformedHellosAreRefusedWithTheReason) {
  test::ListeningConsumer consumer(listen_command(transport()));
  const std::string t = GetParam();
  const std::string other = is_udp() ? "tcp_nodelay" : "udp";
  using Case = std::pair<std::string, std::string>;
  for (const auto& [hello, refusal] : std::vector<Case>{
           Case{"HELLO 1 " + t + " 4\n", "missing token"},
           Case{"HELLO 1 " + t + " 4 " + kToken + " extra\n", "malformed hello"},
           Case{"HELLO 2 " + t + " 4 " + kToken + "\n", "unsupported protocol version 2 (this consumer speaks 1)"},
           Case{"HELLO 1 " + t + " 0 " + kToken + "\n", "payload 0 is not from 1 to"},
           Case{"HELLO 1 " + t + " 4K " + kToken + "\n", "payload 4K is not from 1 to"},
           Case{"HELLO 1 " + other + " 4 " + kToken + "\n", "transport " + other + " is not served here"},
           // The token is checked before the rest is looked at.
           Case{"HELLO 1 " + other + " 0 wrong\n", "bad token"},
       }) {
    const std::string answer = answer_to(t, consumer.endpoint(), hello);
    EXPECT_TRUE(answer.starts_with("REFUSED " + refusal) && answer.ends_with("\n")) << hello << " -> " << answer;
    EXPECT_NE(consumer.await_line("refused: " + refusal), "") << hello;
  }
  // Still serving.
  const auto runner = connect(consumer, 8);
  runner->round_trips(3);
  runner->finish();
}

TEST_P(RemoteTest, ASecondProducerIsRefusedWhileARunIsInProgress) {
  test::ListeningConsumer consumer(listen_command(transport()));
  const auto first = connect(consumer, 4);
  first->round_trips(10);
  const std::string what = error_of([&] { (void)connect(consumer, 4); });
  if (is_udp()) {
    EXPECT_EQ(what, "the remote consumer at " + consumer.endpoint() +
                        " is not listening, or is serving another run (port unreachable)");
  } else {
    EXPECT_EQ(what, "the remote consumer at " + consumer.endpoint() + " refused the run: busy with another run");
    EXPECT_NE(consumer.await_line("refused: busy with another run"), "");
  }
  first->round_trips(10);  // the first run did not notice
  first->finish();
  const auto third = connect(consumer, 4);
  third->round_trips(10);
  third->finish();
}

TEST_P(RemoteTest, KilledConsumerIsAnErrorNamingTheRoundTrip) {
  test::ListeningConsumer consumer(listen_command(transport()));
  const auto runner = connect(consumer, 4, kToken, 2s);
  runner->round_trips(10);
  std::thread killer([&] {
    std::this_thread::sleep_for(50ms);
    consumer.process().kill();
  });
  const auto started = std::chrono::steady_clock::now();
  const std::string what = error_of([&] { runner->round_trips(UINT64_MAX / 2); });
  killer.join();
  EXPECT_TRUE(what.starts_with("round trip ")) << what;
  EXPECT_NE(what.find("(remote consumer at " + consumer.endpoint()), std::string::npos) << what;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s + 1s) << what;
}

TEST_P(RemoteTest, SilentConsumerTimesOut) {
  test::ListeningConsumer consumer(listen_command(transport()));
  const auto runner = connect(consumer, 4, kToken, 500ms);
  runner->round_trips(10);
  ASSERT_EQ(::kill(consumer.process().pid(), SIGSTOP), 0);
  const auto stopped = std::chrono::steady_clock::now();
  const std::string what = error_of([&] { runner->round_trips(UINT64_MAX / 2); });
  const auto took = std::chrono::steady_clock::now() - stopped;
  ::kill(consumer.process().pid(), SIGCONT);
  EXPECT_TRUE(what.starts_with("round trip ")) << what;
  EXPECT_NE(what.find("no reply within 0.5 s (remote consumer at " + consumer.endpoint()), std::string::npos) << what;
  EXPECT_GE(took, 500ms);
  EXPECT_LT(took, 3s);
}

TEST_P(RemoteTest, NoConsumerIsAnErrorWithinTheTimeout) {
  // A port where nothing listens: learn a free one, then let it go.
  sockaddr_in free_port = local_address(bind_to(is_udp() ? SOCK_DGRAM : SOCK_STREAM, parse_endpoint("127.0.0.1:0", true)).get());
  const std::string endpoint = to_string(free_port);
  const auto started = std::chrono::steady_clock::now();
  const std::string what = error_of([&] { (void)transport().remote({4, endpoint, kToken, 1s}); });
  EXPECT_NE(what.find(endpoint), std::string::npos) << what;
  EXPECT_NE(what.find(is_udp() ? "is not listening" : "Connection refused"), std::string::npos) << what;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST_P(RemoteTest, ListensOnlyOnTheAddressGiven) {
  test::ListeningConsumer consumer(listen_command(transport(), "127.0.0.2:0"));
  ASSERT_TRUE(consumer.endpoint().starts_with("127.0.0.2:")) << consumer.endpoint();
  const std::string port = consumer.endpoint().substr(consumer.endpoint().find(':') + 1);
  const std::string what = error_of([&] { (void)transport().remote({4, "127.0.0.1:" + port, kToken, 1s}); });
  EXPECT_NE(what.find(is_udp() ? "is not listening" : "Connection refused"), std::string::npos) << what;
  const auto runner = connect(consumer, 4);
  runner->round_trips(3);
  runner->finish();
}

TEST_P(RemoteTest, AProducerSilentForTheIdleTimeoutIsDroppedAndTheNextServed) {
  test::ListeningConsumer consumer(listen_command(transport(), "127.0.0.1:0", {"--idle-timeout", "0.3"}));
  const auto idle = connect(consumer, 4, kToken, 1s);
  idle->round_trips(5);
  EXPECT_NE(consumer.await_line("5 round trips, then nothing for 0.3 s; gave up"), "");
  const auto next = connect(consumer, 4);
  next->round_trips(5);
  next->finish();
  EXPECT_NE(consumer.await_line("5 round trips, ended by the producer"), "");
  EXPECT_TRUE(error_of([&] { idle->round_trips(1); }).starts_with("round trip 6: ")) << "the dropped run went on";
}

TEST_P(RemoteTest, ARunDestroyedMidwayLetsTheConsumerServeTheNextAtOnce) {
  test::ListeningConsumer consumer(listen_command(transport()));
  {
    const auto abandoned = connect(consumer, 4);
    abandoned->round_trips(5);
  }
  const auto next = connect(consumer, 4, kToken, 2s);  // no wait for the consumer's 30 s idle timeout
  next->round_trips(5);
  next->finish();
}

// Without a child to kill, SIGINT must still end a remote run at once: the
// socket is shut down, the consumer sees the end of the run and serves on.
TEST_P(RemoteTest, SigintEndsARemoteRunAtOnce) {
  test::ListeningConsumer consumer(listen_command(transport()));
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  const UniqueFd err_read(fds[0]);
  UniqueFd err_write(fds[1]);
  const UniqueFd quiet(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  ChildProcess bench = ChildProcess::spawn({test::built("ipc_bench"),
                                            {"-t", GetParam(), "--remote", consumer.endpoint(), "--token", kToken, "-n",
                                             "1000000000", "--warmup", "0", "--gb-table"},
                                            {{quiet.get(), STDOUT_FILENO}, {err_write.get(), STDERR_FILENO}},
                                            std::nullopt});
  err_write.reset();  // ipc_bench's death is EOF here
  // With --gb-table, Google Benchmark prints the context ("Run on ...") to
  // stderr just before the first benchmark; the run is well under way half
  // a second later.
  std::string err;
  for (const auto give_up = std::chrono::steady_clock::now() + 30s;
       err.find("Run on") == std::string::npos && std::chrono::steady_clock::now() < give_up;) {
    char buf[512];
    const ssize_t r = ::read(err_read.get(), buf, sizeof buf);
    if (r <= 0) break;
    err.append(buf, static_cast<std::size_t>(r));
  }
  ASSERT_NE(err.find("Run on"), std::string::npos) << err;
  std::this_thread::sleep_for(500ms);
  ASSERT_EQ(::kill(bench.pid(), SIGINT), 0);
  const auto status = bench.wait_for(5s);
  ASSERT_TRUE(status.has_value()) << "ipc_bench did not exit after SIGINT";
  EXPECT_EQ(status->code, 128 + SIGINT) << status->describe();
  EXPECT_NE(consumer.await_line("round trips, ended by the producer"), "");
  const auto next = connect(consumer, 4);
  next->round_trips(3);
  next->finish();
}

INSTANTIATE_TEST_SUITE_P(Remote, RemoteTest, ::testing::Values("tcp_nodelay", "tcp_nagle", "udp"),
                         [](const auto& info) { return info.param; });

TEST(RemoteCli, ConsumerListenModeCommandLine) {
  for (const char* consumer : {"tcp_consumer", "udp_consumer"}) {
    for (const auto& [args, expected] : {
             std::pair{std::vector<std::string>{"--listen", "127.0.0.1:0"}, "--listen needs --token"},
             std::pair{std::vector<std::string>{"--listen", "127.0.0.1:0", "--token", "a b"}, "--token: "},
             std::pair{std::vector<std::string>{"--listen", "127.0.0.1:0", "--token", ""}, "--token: the token is empty"},
             std::pair{std::vector<std::string>{"--listen", "127.0.0.1:0", "--token", "T", "--payload", "4"},
                       "--listen takes no --payload"},
             std::pair{std::vector<std::string>{"--listen", "localhost:7411", "--token", "T"}, "not an IPv4 address"},
             std::pair{std::vector<std::string>{"--listen", "127.0.0.1:0", "--token", "T", "--idle-timeout", "0"},
                       "--idle-timeout"},
             std::pair{std::vector<std::string>{"--token", "T", "--payload", "4", "--connect", "127.0.0.1:1"},
                       "--token goes with --listen"},
         }) {
      std::vector<std::string> argv{test::built(consumer)};
      argv.insert(argv.end(), args.begin(), args.end());
      const auto result = test::run_command(argv, 10s);
      EXPECT_EQ(result.exit_code, 2) << consumer << " " << testing::PrintToString(args);
      EXPECT_NE(result.err.find(expected), std::string::npos) << consumer << ": " << result.err;
    }
  }
}

test::CommandResult ipc_bench(std::vector<std::string> args) {
  args.insert(args.begin(), test::built("ipc_bench"));
  return test::run_command(args, 120s);
}

TEST(RemoteCli, BadRemoteOptionsAreOneLineAndExitTwo) {
  for (const auto& [args, expected] : {
           std::pair{std::vector<std::string>{"-t", "tcp_nodelay", "--remote", "127.0.0.1:7411"}, "--remote needs --token"},
           std::pair{std::vector<std::string>{"-t", "pipe", "--remote", "127.0.0.1:7411", "--token", "T"},
                     "--remote: pipe cannot run against a remote consumer (only tcp_nodelay, tcp_nagle, udp can)"},
           std::pair{std::vector<std::string>{"-t", "udp,shm_spin", "--remote", "127.0.0.1:7411", "--token", "T"},
                     "--remote: shm_spin cannot"},
           std::pair{std::vector<std::string>{"--remote", "127.0.0.1:7411", "--token", "T"}, "--remote needs -t"},
           std::pair{std::vector<std::string>{"-t", "udp", "--token", "T"}, "--token goes with --remote"},
           std::pair{std::vector<std::string>{"-t", "udp", "--remote", "127.0.0.1", "--token", "T"},
                     "invalid --remote '127.0.0.1': expected HOST:PORT"},
           std::pair{std::vector<std::string>{"-t", "udp", "--remote", "127.0.0.1:0", "--token", "T"}, "invalid --remote"},
           std::pair{std::vector<std::string>{"-t", "udp", "--remote", "127.0.0.1:7411", "--token", "a\tb"}, "--token: "},
           std::pair{std::vector<std::string>{"-t", "udp", "--remote", "127.0.0.1:7411", "--token", "T", "--consumer-cmd",
                                              "python3"},
                     "--remote and --consumer-cmd exclude each other"},
           std::pair{std::vector<std::string>{"-t", "udp", "--remote", "127.0.0.1:7411", "--token", "T", "--placement",
                                              "same"},
                     "placement same needs both processes on this machine"},
           std::pair{std::vector<std::string>{"-t", "udp", "--remote", "no-such-host.invalid:7411", "--token", "T"},
                     "--remote: cannot resolve 'no-such-host.invalid'"},
       }) {
    const auto result = ipc_bench(args);
    EXPECT_EQ(result.exit_code, 2) << testing::PrintToString(args);
    const auto err = test::lines(result.err);
    ASSERT_EQ(err.size(), 1u) << result.err;
    EXPECT_NE(err[0].find(expected), std::string::npos) << err[0];
  }
}

TEST(RemoteCli, IpcBenchRunsAgainstAListeningConsumerAndSaysSoInTheJson) {
  const fs::path out = fs::temp_directory_path() / ("ipc_bench_remote_test_" + std::to_string(::getpid()) + ".json");
  for (const std::string transport : {"tcp_nodelay", "udp"}) {
    test::ListeningConsumer consumer(listen_command(*find_transport(transport)));
    auto result = ipc_bench({"-t", transport, "--remote", consumer.endpoint(), "--token", kToken, "-p", "4,1K", "-n",
                             "500", "--warmup", "50", "--json", out.string()});
    ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
    std::ifstream in(out);
    const auto json = nlohmann::json::parse(in);
    EXPECT_EQ(json.at("context").at("consumer"), "remote " + consumer.endpoint());
    ASSERT_EQ(json.at("benchmarks").size(), 2u);
    for (const auto& b : json.at("benchmarks")) {
      EXPECT_FALSE(b.contains("error_occurred")) << b.dump();
      EXPECT_EQ(b.at("iterations"), 500);
    }
    EXPECT_NE(consumer.await_line("payload 4: "), "");
    EXPECT_NE(consumer.await_line("payload 1024: "), "");

    result = ipc_bench({"-t", transport, "--remote", consumer.endpoint(), "--token", "nope", "-n", "10"});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(test::unwrapped(result.out).find("refused the run: bad token"), std::string::npos) << result.out;
    EXPECT_NE(consumer.await_line("refused: bad token"), "");
  }
  fs::remove(out);
}

// A peer that answers the hello one byte at a time, each within the
// socket's timeout, cannot stretch the handshake past --timeout: ipc_bench
// gives up and closes the connection while the peer is still sending.
TEST(RemoteCli, APeerThatDripsItsAnswerIsGivenUpAtTheTimeout) {
  UniqueFd listener = bind_loopback(SOCK_STREAM);
  ASSERT_EQ(::listen(listener.get(), 1), 0);
  const std::string endpoint = "127.0.0.1:" + std::to_string(local_port(listener.get()));
  std::atomic<bool> closed_while_dripping = false;
  std::thread peer([&] {
    UniqueFd connection(::accept(listener.get(), nullptr, nullptr));
    if (!connection) return;
    // Long enough that only ipc_bench giving up ends it early, even in the
    // sanitizer tree.
    for (int i = 0; i < 100 * test::build_slowdown(); ++i) {
      std::this_thread::sleep_for(200ms);
      if (::send(connection.get(), "R", 1, MSG_NOSIGNAL) != 1) {
        closed_while_dripping = true;
        return;
      }
    }
  });
  const auto result = ipc_bench({"-t", "tcp_nodelay", "--remote", endpoint, "--token", kToken, "-n", "10",
                                 "--timeout", "1"});
  peer.join();
  EXPECT_EQ(result.exit_code, 1) << result.err << result.out;
  EXPECT_NE(test::unwrapped(result.out).find("did not answer within 1 s"), std::string::npos) << result.out;
  EXPECT_TRUE(closed_while_dripping) << "ipc_bench waited as long as the peer kept sending";
}

TEST(RemoteHandshake, TokensCompareWhole) {
  EXPECT_TRUE(tokens_equal("abc", "abc"));
  for (const char* other : {"", "ab", "abd", "abcd", "xbc", "ABC"}) EXPECT_FALSE(tokens_equal(other, "abc")) << other;
  EXPECT_FALSE(token_problem("T").has_value());
  EXPECT_FALSE(token_problem(std::string(kMaxToken, '~')).has_value());
  EXPECT_TRUE(token_problem(std::string(kMaxToken + 1, 'x')).has_value());
  for (const char* bad : {"", "a b", "a\nb", "\x7f"}) EXPECT_TRUE(token_problem(bad).has_value()) << bad;
}

TEST(RemoteHandshake, HelloRoundTrip) {
  const std::string hello = make_hello("udp", 65507, "T0k");
  EXPECT_EQ(hello, "HELLO 1 udp 65507 T0k\n");
  const std::string_view served[] = {"udp"};
  const Verdict verdict = judge_hello(std::string_view(hello).substr(0, hello.size() - 1), "T0k", served, 65507);
  ASSERT_TRUE(verdict.run.has_value()) << verdict.refusal;
  EXPECT_EQ(verdict.run->transport, "udp");
  EXPECT_EQ(verdict.run->payload, 65507u);
  EXPECT_EQ(judge_hello("HELLO 1 udp 65508 T0k", "T0k", served, 65507).refusal, "payload 65508 is not from 1 to 65507 bytes");
  for (const char* junk : {"", "HELLO", "HELLO ", "GET / HTTP/1.1", "HELLO 1  udp 4 T0k"})
    EXPECT_FALSE(judge_hello(junk, "T0k", served, 65507).run.has_value()) << junk;
}

}  // namespace
}  // namespace ipc

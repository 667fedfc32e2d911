#include "ipc/transport/iceoryx/iceoryx.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <iceoryx_posh/mepoo/chunk_header.hpp>
#include <iceoryx_posh/popo/untyped_publisher.hpp>
#include <iceoryx_posh/popo/untyped_subscriber.hpp>
#include <iceoryx_posh/popo/wait_set.hpp>
#include <iceoryx_posh/runtime/posh_runtime.hpp>
#include <string_view>
#include <thread>
#include <vector>

#include "ipc/consumer.hpp"
#include "ipc/cpu_relax.hpp"
#include "ipc/message.hpp"
#include "ipc/protocol.hpp"
#include "ipc/spawned_runner.hpp"
#include "ipc/transport/iceoryx/roudi.hpp"

namespace ipc::transport::iceoryx {
namespace {

using namespace std::chrono_literals;

// Each run has its own pair of topics, {"ipc_bench", "<pid>_<n>", "ping"} and
// "... pong", so that no sample of an earlier run can reach it.  One sample
// per ping and per pong, its size the payload's; an empty sample is the stop.
// The subscribers queue one sample (a ping-pong never has two in flight) and
// ask for no history: a sample published before the subscription is never a
// reply.
iox::capro::ServiceDescription topic(const std::string& instance, const char* event) {
  return {"ipc_bench", iox::capro::IdString_t(iox::cxx::TruncateToCapacity, instance.c_str()),
          iox::capro::IdString_t(iox::cxx::TruncateToCapacity, event)};
}

iox::popo::SubscriberOptions subscriber_options() {
  iox::popo::SubscriberOptions options;
  options.queueCapacity = 1;
  return options;
}

// Loans a chunk of `bytes.size()` bytes, writes them into it and publishes it.
void publish(iox::popo::UntypedPublisher& publisher, std::span<const std::byte> bytes) {
  auto loan = publisher.loan(static_cast<std::uint32_t>(bytes.size()));
  if (loan.has_error())
    throw Error(fmt::format("iceoryx could not loan a chunk of {} bytes (error {}): RouDi's mempools have no free "
                            "chunk that large",
                            bytes.size(), static_cast<int>(loan.get_error())));
  if (!bytes.empty()) std::memcpy(loan.value(), bytes.data(), bytes.size());
  publisher.publish(loan.value());
}

std::span<const std::byte> payload_of(const void* chunk) {
  return {static_cast<const std::byte*>(chunk), iox::mepoo::ChunkHeader::fromUserPayload(chunk)->userPayloadSize()};
}

// The next sample, or nullptr when none is queued.
const void* try_take(iox::popo::UntypedSubscriber& subscriber) {
  auto taken = subscriber.take();
  if (!taken.has_error()) return taken.value();
  if (taken.get_error() == iox::popo::ChunkReceiveResult::NO_CHUNK_AVAILABLE) return nullptr;
  throw Error(fmt::format("iceoryx take() failed: the subscriber holds too many chunks (error {})",
                          static_cast<int>(taken.get_error())));
}

// Waits for a sample: asleep on `waitset`, or (without one) polling take().
// Returns nullptr once `stopped` is set.
const void* take(iox::popo::UntypedSubscriber& subscriber, iox::popo::WaitSet<>* waitset,
                 const std::atomic<bool>& stopped) {
  for (;;) {
    if (const void* chunk = try_take(subscriber)) return chunk;
    // Relaxed: the flag only ends the wait, it publishes nothing.
    if (stopped.load(std::memory_order_relaxed)) return nullptr;
    if (waitset != nullptr)
      (void)waitset->wait();  // returns at once after markForDestruction()
    else
      cpu_relax();
  }
}

std::atomic<unsigned> runs{0};

// A chunk taken from a subscriber, released when replaced or destroyed.
class Held {
 public:
  explicit Held(iox::popo::UntypedSubscriber& subscriber) : subscriber_(subscriber) {}
  Held(const Held&) = delete;
  Held& operator=(const Held&) = delete;
  ~Held() { reset(); }
  void reset(const void* chunk = nullptr) noexcept {
    if (chunk_ != nullptr) subscriber_.release(chunk_);
    chunk_ = chunk;
  }

 private:
  iox::popo::UntypedSubscriber& subscriber_;
  const void* chunk_ = nullptr;
};

template <bool Spin>
class Topics {
 public:
  explicit Topics(const RunnerOptions& options)
      : instance_((ensure_roudi(std::span(&options.payload, 1), options.timeout),
                   fmt::format("{}_{}", ::getpid(), runs.fetch_add(1)))),
        ping_(topic(instance_, "ping")),
        pong_(topic(instance_, "pong"), subscriber_options()) {
    if constexpr (!Spin) {
      if (waitset_.attachState(pong_, iox::popo::SubscriberState::HAS_DATA).has_error())
        throw Error("iceoryx: attaching the pong subscriber to a WaitSet failed");
    }
  }
  ~Topics() {
    held_.reset();
    // A consumer killed outright leaves its runtime's socket file.
    if (consumer_ > 0) remove_runtime_sockets(consumer_);
  }

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    return {options.consumer_path,
            {"--instance", instance_, "--payload", std::to_string(options.payload), "--mode", Spin ? "spin" : "waitset"},
            {},
            options.consumer_cpu};
  }

  std::function<void()> hand_over(Consumer& consumer) {
    consumer_ = consumer.pid();
    const void* ready = nullptr;
    consumer.await([&] { return ping_.hasSubscribers() && (ready = try_take(pong_)) != nullptr; },
                   "READY from the consumer");
    consumer.guard([&] {
      const auto bytes = payload_of(ready);
      held_.reset(ready);
      expect_ready(bytes);
    });
    // Runs on the watchdog thread: markForDestruction() is made for that, it
    // wakes a wait() in progress and every later one.
    return [this] {
      stopped_.store(true, std::memory_order_relaxed);
      if constexpr (!Spin) waitset_.markForDestruction();
    };
  }

  struct Link {
    Topics& topics;
    void send(std::span<const std::byte> ping, std::uint64_t /*seq*/) { publish(topics.ping_, ping); }
    Reply receive(std::span<std::byte> /*buffer*/, std::uint64_t /*seq*/) {
      topics.held_.reset();
      const void* chunk = take(topics.pong_, Spin ? nullptr : &topics.waitset_, topics.stopped_);
      if (chunk == nullptr) throw Error("no pong");
      topics.held_.reset(chunk);
      const auto pong = payload_of(chunk);
      return {pong, pong.size()};
    }
  };
  Link link() { return {*this}; }

  void stop() { publish(ping_, {}); }

 private:
  std::string instance_;
  iox::popo::UntypedPublisher ping_;
  iox::popo::UntypedSubscriber pong_;
  iox::popo::WaitSet<> waitset_;
  Held held_{pong_};  // the last pong, alive while the loop checks it
  std::atomic<bool> stopped_{false};
  pid_t consumer_ = -1;
};

}  // namespace

std::unique_ptr<Runner> start(const RunnerOptions& o) { return std::make_unique<SpawnedRunner<Topics<false>>>(o); }
std::unique_ptr<Runner> start_spin(const RunnerOptions& o) { return std::make_unique<SpawnedRunner<Topics<true>>>(o); }

std::string unavailable() { return roudi_unavailable(); }

std::pair<std::string, std::string> prepare(std::span<const std::size_t> payloads, std::chrono::milliseconds timeout) {
  try {
    ensure_roudi(payloads, timeout);
    return {"roudi", roudi_context()};
  } catch (const Error&) {
    return {};
  }
}

int serve(const std::string& instance, std::size_t payload, bool spin) {
  const std::string name = fmt::format("ipc_bench_c_{}", ::getpid());
  quiet_iceoryx_log();
  iox::runtime::PoshRuntime::initRuntime(iox::RuntimeName_t(iox::cxx::TruncateToCapacity, name.c_str()));
  iox::popo::UntypedSubscriber ping(topic(instance, "ping"), subscriber_options());
  iox::popo::UntypedPublisher pong(topic(instance, "pong"));
  iox::popo::WaitSet<> waitset;
  if (!spin && waitset.attachState(ping, iox::popo::SubscriberState::HAS_DATA).has_error())
    throw Error("iceoryx: attaching the ping subscriber to a WaitSet failed");
  // Discovery goes through RouDi's loop: READY only once both links exist.
  // The producer's watchdog bounds this wait.
  while (ping.getSubscriptionState() != iox::SubscribeState::SUBSCRIBED || !pong.hasSubscribers())
    std::this_thread::sleep_for(1ms);
  publish(pong, ready_bytes());
  const std::atomic<bool> never{false};
  for (;;) {
    const void* chunk = take(ping, spin ? nullptr : &waitset, never);
    const auto bytes = payload_of(chunk);
    if (bytes.empty()) {
      ping.release(chunk);
      return 0;
    }
    publish(pong, bytes.first(std::min(bytes.size(), payload)));
    ping.release(chunk);
  }
}

}  // namespace ipc::transport::iceoryx

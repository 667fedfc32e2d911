#include "ipc/transport/cyclonedds/cyclonedds.hpp"

#include <dds/dds.h>
#include <dds/ddsc/dds_loan_api.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <string_view>
#include <thread>

#include "ipc/consumer.hpp"
#include "ipc/message.hpp"
#include "ipc/protocol.hpp"
#include "ipc/spawned_runner.hpp"
#include "message.h"
#ifdef IPC_BENCH_CYCLONEDDS_SHM
#include "ipc/transport/iceoryx/roudi.hpp"
#endif

namespace ipc::transport::cyclonedds {
namespace {

using namespace std::chrono_literals;

// Two topics, ipc_bench_ping and ipc_bench_pong, of one type (message.idl:
// a sequence of octets), in a partition of the run's own ("ipc_bench_<pid>_<n>")
// and a domain id of its own, so that two runs at once never see each other's
// samples.  Reliable, keep-last 1 (a ping-pong never has two samples in
// flight), transient-local: over shared memory Cyclone connects its iceoryx
// ports through RouDi after the DDS match, and a READY written in between
// would be lost; transient-local hands the last sample to a late reader.
// An empty sample is the stop.
//
// Each side sleeps in dds_waitset_wait() on a read condition, as Cyclone's
// RoundtripPing example does; ddsperf defaults to a listener, which runs the
// reply on Cyclone's receive thread, a thread ipc_bench could not pin or
// interrupt the same way, and which changes what is measured.
//
// Cyclone is configured per domain (dds_create_domain), not through
// CYCLONEDDS_URI: the loopback interface only, no multicast, discovery by
// unicast to 127.0.0.1, so that it works in a network namespace with only
// lo and never talks to the network.
[[noreturn]] void throw_dds(std::string_view what, dds_return_t r) {
  throw Error(fmt::format("{}: {}", what, dds_strretcode(r)));
}

dds_entity_t check(dds_entity_t e, std::string_view what) {
  if (e < 0) throw_dds(what, e);
  return e;
}

std::string config(bool shm) {
  return fmt::format(
      "<CycloneDDS><Domain id=\"any\"><General><Interfaces><NetworkInterface address=\"127.0.0.1\"/></Interfaces>"
      "<AllowMulticast>false</AllowMulticast></General><Discovery><ParticipantIndex>auto</ParticipantIndex>"
      "<MaxAutoParticipantIndex>60</MaxAutoParticipantIndex><Peers><Peer address=\"127.0.0.1\"/></Peers></Discovery>"
      "<Tracing><Verbosity>none</Verbosity></Tracing>{}</Domain></CycloneDDS>",
      shm ? "<SharedMemory><Enable>true</Enable><LogLevel>error</LogLevel></SharedMemory>" : "");
}

// Cyclone 0.10 opens its sockets without SOCK_CLOEXEC, some of them on its
// own threads: every descriptor above stderr is marked close-on-exec once
// the domain, its endpoints and discovery have opened theirs, so that no
// process spawned later inherits one.  Nothing of this process is meant to
// be inherited otherwise: a consumer's descriptors are dup2()ed into place
// at its spawn, which clears the flag on the copy.
void close_on_exec_all() {
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec)) {
    const int fd = std::atoi(it->path().filename().c_str());
    if (fd <= 2) continue;
    const int flags = ::fcntl(fd, F_GETFD);
    if (flags >= 0 && (flags & FD_CLOEXEC) == 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
  }
}

// A domain created with its configuration; deleting it deletes every entity in it.
class Domain {
 public:
  Domain(unsigned id, bool shm)
      : domain_(check(dds_create_domain(id, config(shm).c_str()), fmt::format("dds_create_domain {}", id))),
        participant_(check(dds_create_participant(id, nullptr, nullptr), "dds_create_participant")) {
    close_on_exec_all();
  }
  Domain(const Domain&) = delete;
  Domain& operator=(const Domain&) = delete;
  ~Domain() { dds_delete(domain_); }
  [[nodiscard]] dds_entity_t participant() const noexcept { return participant_; }
  // After the endpoints and discovery: the sockets they open.
  static void close_on_exec() { close_on_exec_all(); }

 private:
  dds_entity_t domain_;
  dds_entity_t participant_;
};

class Qos {
 public:
  explicit Qos(const std::string& partition) : qos_(dds_create_qos()) {
    dds_qset_reliability(qos_, DDS_RELIABILITY_RELIABLE, DDS_SECS(10));
    dds_qset_history(qos_, DDS_HISTORY_KEEP_LAST, 1);
    dds_qset_durability(qos_, DDS_DURABILITY_TRANSIENT_LOCAL);
    const char* name = partition.c_str();
    dds_qset_partition(qos_, 1, &name);
  }
  Qos(const Qos&) = delete;
  Qos& operator=(const Qos&) = delete;
  ~Qos() { dds_delete_qos(qos_); }
  [[nodiscard]] const dds_qos_t* get() const noexcept { return qos_; }

 private:
  dds_qos_t* qos_;
};

// One side's entities: a writer on `out`, a reader on `in`, a WaitSet on
// the reader's data.
struct Endpoints {
  Endpoints(dds_entity_t participant, const std::string& partition, const char* out, const char* in) {
    const Qos qos(partition);
    const dds_entity_t out_topic =
        check(dds_create_topic(participant, &ipc_bench_Payload_desc, out, qos.get(), nullptr), "dds_create_topic");
    const dds_entity_t in_topic =
        check(dds_create_topic(participant, &ipc_bench_Payload_desc, in, qos.get(), nullptr), "dds_create_topic");
    writer = check(dds_create_writer(participant, out_topic, qos.get(), nullptr), "dds_create_writer");
    reader = check(dds_create_reader(participant, in_topic, qos.get(), nullptr), "dds_create_reader");
    waitset = check(dds_create_waitset(participant), "dds_create_waitset");
    const dds_entity_t condition = check(dds_create_readcondition(reader, DDS_ANY_STATE), "dds_create_readcondition");
    if (const dds_return_t r = dds_waitset_attach(waitset, condition, reader); r < 0) throw_dds("dds_waitset_attach", r);
  }
  dds_entity_t writer = 0, reader = 0, waitset = 0;
};

bool matched(const Endpoints& e) {
  dds_publication_matched_status_t pub{};
  dds_subscription_matched_status_t sub{};
  return dds_get_publication_matched_status(e.writer, &pub) >= 0 && pub.current_count > 0 &&
         dds_get_subscription_matched_status(e.reader, &sub) >= 0 && sub.current_count > 0;
}

void write(dds_entity_t writer, std::span<const std::byte> bytes) {
  ipc_bench_Payload sample{};
  sample.bytes._maximum = sample.bytes._length = static_cast<std::uint32_t>(bytes.size());
  sample.bytes._buffer = reinterpret_cast<std::uint8_t*>(const_cast<std::byte*>(bytes.data()));
  sample.bytes._release = false;
  if (const dds_return_t r = dds_write(writer, &sample); r < 0) throw_dds("dds_write", r);
}

// A sample to take into, its buffer kept across takes (Cyclone grows it when
// a sample is larger).
class Sample {
 public:
  explicit Sample(std::size_t capacity) {
    sample_.bytes._buffer = static_cast<std::uint8_t*>(dds_alloc(std::max<std::size_t>(capacity, 1)));
    sample_.bytes._maximum = static_cast<std::uint32_t>(capacity);
    sample_.bytes._release = true;
  }
  Sample(const Sample&) = delete;
  Sample& operator=(const Sample&) = delete;
  ~Sample() { dds_sample_free(&sample_, &ipc_bench_Payload_desc, DDS_FREE_CONTENTS); }

  // Takes one sample with data: true, or false when none is there.
  bool take(dds_entity_t reader) {
    for (;;) {
      void* samples[1] = {&sample_};
      dds_sample_info_t info;
      const dds_return_t n = dds_take(reader, samples, &info, 1, 1);
      if (n < 0) throw_dds("dds_take", n);
      if (n == 0) return false;
      if (info.valid_data) return true;  // else an instance's state changed: taken, not a sample
    }
  }
  [[nodiscard]] std::span<const std::byte> bytes() const noexcept {
    return {reinterpret_cast<const std::byte*>(sample_.bytes._buffer), sample_.bytes._length};
  }

 private:
  ipc_bench_Payload sample_{};
};

std::atomic<unsigned> runs{0};

template <bool Shm>
class Topics {
 public:
  explicit Topics(const RunnerOptions& options)
      : run_(runs.fetch_add(1)),
        domain_id_((prepare_shm(options), (static_cast<unsigned>(::getpid()) + run_) % 200 + 1)),
        partition_(fmt::format("ipc_bench_{}_{}", ::getpid(), run_)),
        domain_(domain_id_, Shm),
        endpoints_(domain_.participant(), partition_, "ipc_bench_ping", "ipc_bench_pong"),
        pong_(options.payload) {
    domain_.close_on_exec();
    if constexpr (Shm) {
      if (!dds_is_shared_memory_available(endpoints_.writer))
        throw Error("Cyclone DDS did not take its shared-memory path for this writer (see its SharedMemory settings)");
    }
  }

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    return {options.consumer_path,
            {"--domain", std::to_string(domain_id_), "--partition", partition_, "--payload",
             std::to_string(options.payload), "--mode", Shm ? "shm" : "udp"},
            {},
            options.consumer_cpu};
  }

  ~Topics() {
#ifdef IPC_BENCH_CYCLONEDDS_SHM
    if (Shm && consumer_ > 0) iceoryx::remove_runtime_sockets(consumer_);
#endif
  }

  std::function<void()> hand_over(Consumer& consumer) {
    consumer_ = consumer.pid();
    consumer.await([&] { return matched(endpoints_) && pong_.take(endpoints_.reader); }, "READY from the consumer");
    domain_.close_on_exec();  // and those discovery opened
    consumer.guard([&] { expect_ready(pong_.bytes()); });
    // Runs on the watchdog thread: Cyclone's entities are thread-safe, and a
    // triggered WaitSet returns from every wait.
    return [this] {
      stopped_.store(true, std::memory_order_relaxed);
      dds_waitset_set_trigger(endpoints_.waitset, true);
    };
  }

  struct Link {
    Topics& topics;
    void send(std::span<const std::byte> ping, std::uint64_t /*seq*/) { write(topics.endpoints_.writer, ping); }
    Reply receive(std::span<std::byte> /*buffer*/, std::uint64_t /*seq*/) {
      // Relaxed: the flag only ends the wait, it publishes nothing.
      while (!topics.pong_.take(topics.endpoints_.reader)) {
        if (topics.stopped_.load(std::memory_order_relaxed)) throw Error("no pong");
        if (const dds_return_t r = dds_waitset_wait(topics.endpoints_.waitset, nullptr, 0, DDS_INFINITY); r < 0)
          throw_dds("dds_waitset_wait", r);
      }
      const auto pong = topics.pong_.bytes();
      return {pong, pong.size()};
    }
  };
  Link link() { return {*this}; }

  void stop() { write(endpoints_.writer, {}); }

 private:
  static int prepare_shm(const RunnerOptions& options) {
#ifdef IPC_BENCH_CYCLONEDDS_SHM
    if constexpr (Shm) iceoryx::ensure_roudi(std::span(&options.payload, 1), options.timeout);
#else
    (void)options;
#endif
    return 0;
  }

  unsigned run_;
  unsigned domain_id_;
  std::string partition_;
  Domain domain_;
  Endpoints endpoints_;
  Sample pong_;
  std::atomic<bool> stopped_{false};
  pid_t consumer_ = -1;  // its runtime's socket files, with Shm
};

}  // namespace

std::unique_ptr<Runner> start(const RunnerOptions& o) { return std::make_unique<SpawnedRunner<Topics<false>>>(o); }

std::string unavailable() { return {}; }

#ifdef IPC_BENCH_CYCLONEDDS_SHM
std::unique_ptr<Runner> start_shm(const RunnerOptions& o) { return std::make_unique<SpawnedRunner<Topics<true>>>(o); }
std::string unavailable_shm() { return iceoryx::roudi_unavailable(); }
#else
std::unique_ptr<Runner> start_shm(const RunnerOptions& /*options*/) { throw Error(unavailable_shm()); }
std::string unavailable_shm() {
  return "this Cyclone DDS was built without shared memory (iceoryx), or ipc_bench without iceoryx";
}
#endif

int serve(unsigned domain, const std::string& partition, std::size_t payload, bool shm) {
#ifdef IPC_BENCH_CYCLONEDDS_SHM
  if (shm) iceoryx::quiet_iceoryx_log();
#endif
  const Domain d(domain, shm);
  const Endpoints e(d.participant(), partition, "ipc_bench_pong", "ipc_bench_ping");
  Sample ping(payload);
  // Discovery is Cyclone's: READY only once both links exist.  The
  // producer's watchdog bounds this wait.
  while (!matched(e)) std::this_thread::sleep_for(1ms);
  write(e.writer, ready_bytes());
  for (;;) {
    while (!ping.take(e.reader))
      if (const dds_return_t r = dds_waitset_wait(e.waitset, nullptr, 0, DDS_INFINITY); r < 0)
        throw_dds("dds_waitset_wait", r);
    const auto bytes = ping.bytes();
    if (bytes.empty()) return 0;
    write(e.writer, bytes.first(std::min(bytes.size(), payload)));
  }
}

}  // namespace ipc::transport::cyclonedds

#include "ipc/transport/dbus/dbus.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

#include "ipc/child_process.hpp"
#include "ipc/consumer.hpp"
#include "ipc/consumer_path.hpp"
#include "ipc/message.hpp"
#include "ipc/private_directory.hpp"
#include "ipc/protocol.hpp"
#include "ipc/spawned_runner.hpp"
#include "ipc/unique_fd.hpp"

namespace ipc::transport::dbus {
namespace {

// Every ping is a method call, Ping(ay), from the producer's connection to
// the consumer's unique name; every pong is its method return, (ay), with
// the same bytes.  Both go through the daemon: four socket transfers and two
// daemon wake-ups per round trip, plus the marshalling on each side.
//
// sd-bus (libsystemd) rather than libdbus: a call is one function,
// sd_bus_call(), with the wait in ppoll() on the connection's socket, which
// the watchdog can shut down from its thread (sd-bus objects are not
// thread-safe, the kernel's socket is); a connection takes no locks and
// starts no threads; and a timeout of UINT64_MAX means none, leaving the
// clock to the watchdog.  libdbus would need dbus_threads_init() and locks
// on every call for the same.
//
// The handshake: the consumer, started with the bus address and the
// producer's unique name, calls Ready() on the producer; the daemon stamps
// the call with the consumer's unique name, where pings then go, and the
// producer asks the daemon for that name's pid, which must be the consumer's.
// Stop() ends the run.
constexpr const char* kPath = "/ipc_bench";
constexpr const char* kInterface = "org.ipc_bench.Echo";

[[noreturn]] void throw_bus(std::string_view what, int r) {
  throw Error(fmt::format("{}: {}", what, std::strerror(-r)));
}

// An sd_bus_error that frees itself.
struct BusError {
  sd_bus_error error = SD_BUS_ERROR_NULL;
  BusError() = default;
  BusError(const BusError&) = delete;
  BusError& operator=(const BusError&) = delete;
  ~BusError() { ::sd_bus_error_free(&error); }
  [[nodiscard]] std::string text(int r) const {
    return error.message != nullptr ? fmt::format("{} ({})", error.message, error.name) : std::strerror(-r);
  }
};

struct MessageUnref {
  void operator()(sd_bus_message* m) const noexcept { ::sd_bus_message_unref(m); }
};
using MessagePtr = std::unique_ptr<sd_bus_message, MessageUnref>;

struct BusClose {
  void operator()(sd_bus* bus) const noexcept { ::sd_bus_flush_close_unref(bus); }
};
using BusPtr = std::unique_ptr<sd_bus, BusClose>;

struct SlotUnref {
  void operator()(sd_bus_slot* slot) const noexcept { ::sd_bus_slot_unref(slot); }
};
// A filter, removed when the pointer goes.
using SlotPtr = std::unique_ptr<sd_bus_slot, SlotUnref>;

SlotPtr add_filter(sd_bus* bus, sd_bus_message_handler_t handler, void* userdata) {
  sd_bus_slot* slot = nullptr;
  if (const int r = ::sd_bus_add_filter(bus, &slot, handler, userdata); r < 0) throw_bus("sd_bus_add_filter", r);
  return SlotPtr(slot);
}

BusPtr connect(const std::string& address) {
  sd_bus* raw = nullptr;
  if (const int r = ::sd_bus_new(&raw); r < 0) throw_bus("sd_bus_new", r);
  BusPtr bus(raw);
  if (const int r = ::sd_bus_set_address(raw, address.c_str()); r < 0) throw_bus("sd_bus_set_address " + address, r);
  if (const int r = ::sd_bus_set_bus_client(raw, 1); r < 0) throw_bus("sd_bus_set_bus_client", r);
  if (const int r = ::sd_bus_start(raw); r < 0) throw_bus("connecting to the D-Bus daemon at " + address, r);
  return bus;
}

std::string unique_name(sd_bus* bus) {
  const char* name = nullptr;
  if (const int r = ::sd_bus_get_unique_name(bus, &name); r < 0) throw_bus("sd_bus_get_unique_name", r);
  return name;
}

MessagePtr new_call(sd_bus* bus, const std::string& destination, const char* member) {
  sd_bus_message* raw = nullptr;
  if (const int r = ::sd_bus_message_new_method_call(bus, &raw, destination.c_str(), kPath, kInterface, member); r < 0)
    throw_bus("sd_bus_message_new_method_call", r);
  return MessagePtr(raw);
}

// Calls `call` and waits for its reply with no timeout of its own: the
// watchdog bounds the wait.
MessagePtr call(sd_bus* bus, sd_bus_message* message, std::string_view what) {
  BusError error;
  sd_bus_message* reply = nullptr;
  if (const int r = ::sd_bus_call(bus, message, UINT64_MAX, &error.error, &reply); r < 0)
    throw Error(fmt::format("{}: {}", what, error.text(r)));
  return MessagePtr(reply);
}

std::span<const std::byte> bytes_of(sd_bus_message* message) {
  const void* data = nullptr;
  std::size_t size = 0;
  if (const int r = ::sd_bus_message_read_array(message, 'y', &data, &size); r < 0)
    throw_bus("reading the byte array of a message", r);
  return {static_cast<const std::byte*>(data), size};
}

// A dbus-daemon of our own, for the run: a child of ipc_bench, its socket and
// configuration in a private directory.  Destroying it kills and reaps the
// daemon, then removes the directory with the socket in it.
class PrivateDaemon {
 public:
  PrivateDaemon(const std::string& executable, std::chrono::milliseconds timeout)
      : directory_(PrivateDirectory::create()), daemon_(spawn(executable)) {
    address_ = read_address(timeout);
  }
  [[nodiscard]] const std::string& address() const noexcept { return address_; }

 private:
  // The smallest session bus: anyone who can reach the socket (only this
  // user: the directory is 0700) may own names and call anything.  No
  // service directories, so nothing is ever activated.
  ChildProcess spawn(const std::string& executable) {
    const std::string config = directory_.entry("bus.conf");
    write_private(config,
                  fmt::format(R"(<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
  <limit name="max_message_size">134217728</limit>
</busconfig>
)",
                              directory_.entry("bus")));
    // The daemon's own messages (as root without CAP_SYS_RESOURCE, one
    // about its descriptor limit at every start) go to a log that a failed
    // start quotes, not into ipc_bench's output.
    log_path_ = directory_.entry("daemon.log");
    const UniqueFd log(::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!log) throw_errno("open " + log_path_);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe2");
    address_pipe_.reset(fds[0]);
    const UniqueFd write_end(fds[1]);
    // --print-address=3: the daemon writes its address, and a newline, on
    // descriptor 3 once it listens.
    return ChildProcess::spawn({executable,
                                {"--config-file=" + config, "--nofork", "--nopidfile", "--print-address=3"},
                                {{write_end.get(), 3}, {log.get(), 1}, {log.get(), 2}},
                                {}});
  }

  std::string read_address(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string text;
    while (text.find('\n') == std::string::npos) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd fd{address_pipe_.get(), POLLIN, 0};
      const int r = ::poll(&fd, 1, static_cast<int>(std::max<std::chrono::milliseconds::rep>(left.count(), 0)));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) throw_errno("poll");
      if (r == 0)
        throw Error(fmt::format("dbus-daemon printed no address within {} ms: {}", timeout.count(), last_log_line()));
      char buf[256];
      const ssize_t n = ::read(address_pipe_.get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw_errno("read from dbus-daemon");
      if (n == 0) {
        const auto status = daemon_.wait_for(std::chrono::milliseconds(100));
        throw Error(fmt::format("dbus-daemon {} before printing its address: {}",
                                status ? status->describe() : std::string("closed its address pipe"), last_log_line()));
      }
      text.append(buf, static_cast<std::size_t>(n));
    }
    address_pipe_.reset();
    return text.substr(0, text.find('\n'));
  }

  static void write_private(const std::string& path, const std::string& text) {
    const UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd) throw_errno("open " + path);
    if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) throw_errno("write " + path);
  }

  [[nodiscard]] std::string last_log_line() const {
    std::ifstream in(log_path_);
    std::string line, last = "(it logged nothing)";
    while (std::getline(in, line))
      if (!line.empty()) last = line;
    return last;
  }

  PrivateDirectory directory_;
  std::string log_path_;
  UniqueFd address_pipe_;
  ChildProcess daemon_;  // destroyed (killed, reaped) before the directory is removed
  std::string address_;
};

std::optional<std::string> named_bus() {
  const char* value = std::getenv(kAddressVariable);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

struct Link {
  sd_bus* bus;
  const std::string& consumer;
  MessagePtr call_;   // built by send(), made by receive()
  MessagePtr reply_;  // the last pong, alive while the loop checks it

  void send(std::span<const std::byte> ping, std::uint64_t /*seq*/) {
    call_ = new_call(bus, consumer, "Ping");
    if (const int r = ::sd_bus_message_append_array(call_.get(), 'y', ping.data(), ping.size()); r < 0)
      throw_bus("sd_bus_message_append_array", r);
  }
  Reply receive(std::span<std::byte> /*buffer*/, std::uint64_t /*seq*/) {
    reply_ = call(bus, call_.get(), "no pong");
    const std::span<const std::byte> pong = bytes_of(reply_.get());
    return {pong, pong.size()};
  }
};

// The producer's end: a connection to the bus (a private daemon's unless
// $IPC_BENCH_DBUS_ADDRESS names one), and the consumer's unique name.
class Bus {
 public:
  explicit Bus(const RunnerOptions& options)
      : daemon_(start_daemon(options.timeout)), bus_(connect(daemon_ ? daemon_->address() : *named_bus())) {}

  SpawnOptions spawn_options(const RunnerOptions& options) const {
    return {options.consumer_path,
            {"--address", daemon_ ? daemon_->address() : *named_bus(), "--producer", unique_name(bus_.get()),
             "--payload", std::to_string(options.payload)},
            {},
            options.consumer_cpu};
  }

  std::function<void()> hand_over(Consumer& consumer) {
    SlotPtr filter = add_filter(bus_.get(), &Bus::on_ready, this);
    consumer.await(
        [&] {
          for (;;) {
            const int r = ::sd_bus_process(bus_.get(), nullptr);
            if (r < 0) throw_bus("sd_bus_process", r);
            if (r == 0 || !consumer_name_.empty()) return !consumer_name_.empty();
          }
        },
        "Ready() from the consumer");
    filter.reset();
    consumer.guard([&] { check_consumer(consumer); });
    // A killed consumer makes the daemon answer the pending call with an
    // error at once; a frozen one does not.  Shutting our socket down ends
    // sd_bus_call()'s wait either way.
    return [fd = ::sd_bus_get_fd(bus_.get())] { ::shutdown(fd, SHUT_RDWR); };
  }

  Link link() const { return {bus_.get(), consumer_name_, {}, {}}; }

  // Stop(), answered once the consumer has seen it.
  void stop() {
    const MessagePtr stop = new_call(bus_.get(), consumer_name_, "Stop");
    (void)call(bus_.get(), stop.get(), "Stop()");
  }

 private:
  static std::optional<PrivateDaemon> start_daemon(std::chrono::milliseconds timeout) {
    if (named_bus()) return std::nullopt;
    const auto executable = find_executable("dbus-daemon");
    if (!executable) throw Error(unavailable());
    return std::optional<PrivateDaemon>(std::in_place, *executable, timeout);
  }

  // The filter of the handshake: takes the first Ready() call, remembers its
  // sender and answers it.
  static int on_ready(sd_bus_message* m, void* self, sd_bus_error* /*error*/) {
    auto* bus = static_cast<Bus*>(self);
    if (!bus->consumer_name_.empty() || ::sd_bus_message_is_method_call(m, kInterface, "Ready") <= 0) return 0;
    bus->consumer_name_ = ::sd_bus_message_get_sender(m);
    return ::sd_bus_reply_method_return(m, nullptr);
  }

  // The caller of Ready() must be our consumer: the daemon knows its pid.
  void check_consumer(const Consumer& consumer) {
    sd_bus_creds* creds = nullptr;
    if (const int r = ::sd_bus_get_name_creds(bus_.get(), consumer_name_.c_str(), SD_BUS_CREDS_PID, &creds); r < 0)
      throw_bus("asking the daemon for the pid of " + consumer_name_, r);
    pid_t pid = 0;
    const int r = ::sd_bus_creds_get_pid(creds, &pid);
    ::sd_bus_creds_unref(creds);
    if (r < 0) throw_bus("sd_bus_creds_get_pid", r);
    if (pid != consumer.pid())
      throw Error(
          fmt::format("process {}, not the consumer ({}), called Ready() as {}", pid, consumer.pid(), consumer_name_));
    if (const int f = ::sd_bus_flush(bus_.get()); f < 0) throw_bus("sd_bus_flush", f);
  }

  std::optional<PrivateDaemon> daemon_;  // unless $IPC_BENCH_DBUS_ADDRESS names a bus
  BusPtr bus_;
  std::string consumer_name_;  // its unique name, from Ready()
};

// The consumer's state, for its filter.
struct Echo {
  std::string producer;
  bool stop = false;
  int error = 0;
};

int on_call(sd_bus_message* m, void* userdata, sd_bus_error* /*error*/) {
  auto* echo = static_cast<Echo*>(userdata);
  const bool ping = ::sd_bus_message_is_method_call(m, kInterface, "Ping") > 0;
  const bool stop = !ping && ::sd_bus_message_is_method_call(m, kInterface, "Stop") > 0;
  if (!ping && !stop) return 0;  // sd-bus answers the rest (Peer.Ping, unknown methods)
  const char* sender = ::sd_bus_message_get_sender(m);
  if (sender == nullptr || echo->producer != sender) return 0;
  if (stop) {
    echo->stop = true;
    return ::sd_bus_reply_method_return(m, nullptr);
  }
  const void* data = nullptr;
  std::size_t size = 0;
  sd_bus_message* raw = nullptr;
  int r = ::sd_bus_message_read_array(m, 'y', &data, &size);
  if (r >= 0) r = ::sd_bus_message_new_method_return(m, &raw);
  const MessagePtr reply(raw);
  if (r >= 0) r = ::sd_bus_message_append_array(raw, 'y', data, size);
  if (r >= 0) r = ::sd_bus_send(nullptr, raw, nullptr);
  if (r < 0) echo->error = r;
  return 1;
}

}  // namespace

std::unique_ptr<Runner> start(const RunnerOptions& options) { return std::make_unique<SpawnedRunner<Bus>>(options); }

std::string unavailable() {
  if (named_bus() || find_executable("dbus-daemon")) return {};
  return fmt::format(
      "no dbus-daemon in PATH to start a private bus (Debian: apt-get install dbus-daemon), and {} names no bus",
      kAddressVariable);
}

int serve(const std::string& address, const std::string& producer, std::size_t /*payload*/) {
  const BusPtr bus = connect(address);
  Echo echo{producer};
  const SlotPtr filter = add_filter(bus.get(), on_call, &echo);
  const MessagePtr ready = new_call(bus.get(), producer, "Ready");
  (void)call(bus.get(), ready.get(), "Ready()");
  while (!echo.stop) {
    const int r = ::sd_bus_process(bus.get(), nullptr);
    if (r < 0) throw_bus("sd_bus_process", r);
    if (echo.error < 0) throw_bus("answering a Ping", echo.error);
    if (r > 0) continue;
    if (const int w = ::sd_bus_wait(bus.get(), UINT64_MAX); w < 0 && w != -EINTR) throw_bus("sd_bus_wait", w);
  }
  if (const int r = ::sd_bus_flush(bus.get()); r < 0) throw_bus("sd_bus_flush", r);
  return 0;
}

}  // namespace ipc::transport::dbus

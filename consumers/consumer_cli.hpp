#pragma once
// The command line every consumer shares: --payload BYTES plus its own
// options.  Bad arguments print the error and the usage and exit 2; a failure
// while serving prints one line and exits 1.
//
// tcp_consumer and udp_consumer on Linux can also be started by hand, for
// ipc_bench --remote: linux/listen_cli.hpp adds those options.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstddef>
#include <cstdio>
#include <exception>
#include <functional>
#include <optional>
#include <string>

#include "ipc/parse.hpp"

namespace ipc {

class ConsumerCli {
 public:
  ConsumerCli(std::string name, std::string description) : name_(std::move(name)), app_(std::move(description), name_) {
    payload_option_ = app_.add_option("--payload", payload_text_, "bytes per ping and pong (4, 4K, 1M)")->required();
  }
  ConsumerCli(const ConsumerCli&) = delete;
  ConsumerCli& operator=(const ConsumerCli&) = delete;
  virtual ~ConsumerCli() = default;

  CLI::App& app() noexcept { return app_; }

  // A receiver of a fan-out over one shared segment (ipc_bench --fanout,
  // docs/protocol.md): --stamp, and its slot among how many.
  struct SegmentReceiver {
    bool stamp = false;
    std::size_t receiver = 0;
    std::size_t receivers = 0;
  };
  void add_segment_receiver(SegmentReceiver& into) {
    app_.add_flag("--stamp", into.stamp, "a receiver of a fan-out (ipc_bench --fanout): stamp each pong");
    app_.add_option("--receiver", into.receiver, "with --stamp: this receiver's slot, from 0");
    app_.add_option("--receivers", into.receivers, "with --stamp: how many receivers the segment has");
  }

  int run(int argc, char** argv, const std::function<int(std::size_t payload)>& serve) {
    try {
      app_.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
      std::fputs(app_.help().c_str(), stdout);
      return 0;
    } catch (const CLI::ParseError& e) {
      return usage_error(e.what());
    }
    if (const auto status = after_parse()) return *status;
    const auto payload = parse_size(payload_text_);
    if (!payload) return usage_error(fmt::format("--payload: '{}' is not a size", payload_text_));
    return guarded([&] { return serve(*payload); });
  }

 protected:
  // Once the command line is parsed: an exit status in place of serving the
  // payload (another mode, or what the parser could not check), or nullopt.
  virtual std::optional<int> after_parse() { return std::nullopt; }

  // Runs `body`; a failure is one line on stderr and exit status 1.
  int guarded(const std::function<int()>& body) {
    try {
      return body();
    } catch (const std::exception& e) {
      say(fmt::format("{}: {}\n", name_, e.what()));
      return 1;
    }
  }

  int usage_error(const std::string& message) {
    say(fmt::format("{}: {}\n{}", name_, message, app_.help()));
    return 2;
  }

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] CLI::Option* payload_option() const noexcept { return payload_option_; }

 private:
  // A stderr that cannot be written (closed, full) loses the line, not the
  // exit status: fmt::print would throw there.
  static void say(const std::string& text) noexcept {
    (void)std::fwrite(text.data(), 1, text.size(), stderr);
    std::clearerr(stderr);
  }

  std::string name_;
  CLI::App app_;
  std::string payload_text_;
  CLI::Option* payload_option_ = nullptr;
};

}  // namespace ipc

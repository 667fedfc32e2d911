#pragma once
// The command line every consumer shares: --payload BYTES plus its own
// options.  Bad arguments print the error and the usage and exit 2; a failure
// while serving prints one line and exits 1.
//
// tcp_consumer and udp_consumer can also be started by hand, for ipc_bench
// --remote: --listen ADDR:PORT --token SECRET [--idle-timeout SECONDS], and
// then take neither --connect nor --payload.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <functional>
#include <string>

#include "ipc/parse.hpp"
#ifndef _WIN32
#include "ipc/inet.hpp"
#include "ipc/remote.hpp"
#endif

namespace ipc {

class ConsumerCli {
 public:
  ConsumerCli(std::string name, std::string description) : name_(std::move(name)), app_(std::move(description), name_) {
    payload_option_ = app_.add_option("--payload", payload_text_, "bytes per ping and pong (4, 4K, 1M)")->required();
  }

  CLI::App& app() noexcept { return app_; }

#ifndef _WIN32  // Windows consumers take --port: loopback only, no --remote
  // --connect A.B.C.D:PORT, checked while parsing (a bad one is a usage error).
  void add_endpoint_option(std::string& endpoint) {
    connect_option_ = app_.add_option("--connect", endpoint, "producer address, A.B.C.D:PORT")
                          ->required()
                          ->check([](const std::string& text) -> std::string {
                            try {
                              (void)parse_endpoint(text);
                              return {};
                            } catch (const std::exception& e) {
                              return e.what();
                            }
                          });
  }

  // --listen, --token, --idle-timeout (after add_endpoint_option): then
  // --connect and --payload are required only without --listen.
  void add_listen_options(ListenOptions& listen) {
    listen_ = &listen;
    listen.name = name_;
    payload_option_->required(false);
    connect_option_->required(false);
    listen_option_ =
        app_.add_option("--listen", listen.endpoint,
                        "started by hand for ipc_bench --remote: serve runs one after another at A.B.C.D:PORT "
                        "(exactly that address; port 0: any free one, printed)")
            ->check([](const std::string& text) -> std::string {
              try {
                (void)parse_endpoint(text, true);
                return {};
              } catch (const std::exception& e) {
                return e.what();
              }
            });
    token_option_ = app_.add_option("--token", listen.token, "with --listen: the secret a producer must present");
    idle_option_ = app_.add_option("--idle-timeout", idle_seconds_,
                                   "with --listen: give up on a producer silent for this many seconds (default 30)");
  }
#endif

  int run(int argc, char** argv, const std::function<int(std::size_t payload)>& serve,
          [[maybe_unused]] const std::function<int()>& serve_listen = {}) {
    try {
      app_.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
      std::fputs(app_.help().c_str(), stdout);
      return 0;
    } catch (const CLI::ParseError& e) {
      return usage_error(e.what());
    }
#ifndef _WIN32
    if (listen_option_ && listen_option_->count() > 0) return run_listen(serve_listen);
    if (listen_) {
      for (const CLI::Option* option : {token_option_, idle_option_}) {
        if (option->count() > 0) return usage_error(fmt::format("{} goes with --listen", option->get_name()));
      }
      for (const CLI::Option* option : {connect_option_, payload_option_}) {
        if (option->count() == 0) return usage_error(fmt::format("{} is required (or --listen)", option->get_name()));
      }
    }
#endif
    const auto payload = parse_size(payload_text_);
    if (!payload) return usage_error(fmt::format("--payload: '{}' is not a size", payload_text_));
    try {
      return serve(*payload);
    } catch (const std::exception& e) {
      fmt::print(stderr, "{}: {}\n", name_, e.what());
      return 1;
    }
  }

 private:
#ifndef _WIN32
  int run_listen(const std::function<int()>& serve_listen) {
    for (const char* name : {"--connect", "--payload", "--nodelay"}) {
      const CLI::Option* option = app_.get_option_no_throw(name);
      if (option && option->count() > 0)
        return usage_error(fmt::format("--listen takes no {}: the producer's hello gives the run's parameters", name));
    }
    if (token_option_->count() == 0) return usage_error("--listen needs --token SECRET");
    if (const auto problem = token_problem(listen_->token)) return usage_error(fmt::format("--token: {}", *problem));
    if (!std::isfinite(idle_seconds_) || idle_seconds_ < 0.001 || idle_seconds_ > 86400)
      return usage_error("--idle-timeout: expected seconds between 0.001 and 86400");
    listen_->idle_timeout = std::chrono::milliseconds(std::llround(idle_seconds_ * 1000));
    try {
      return serve_listen();
    } catch (const std::exception& e) {
      fmt::print(stderr, "{}: {}\n", name_, e.what());
      return 1;
    }
  }
#endif

  int usage_error(const std::string& message) {
    fmt::print(stderr, "{}: {}\n{}", name_, message, app_.help());
    return 2;
  }

  std::string name_;
  CLI::App app_;
  std::string payload_text_;
  CLI::Option* payload_option_ = nullptr;
  CLI::Option* connect_option_ = nullptr;
#ifndef _WIN32
  ListenOptions* listen_ = nullptr;
#endif
  CLI::Option* listen_option_ = nullptr;
  CLI::Option* token_option_ = nullptr;
  CLI::Option* idle_option_ = nullptr;
  double idle_seconds_ = 30;
};

}  // namespace ipc

#pragma once
// ListenCli: the command line of the consumers that ipc_bench --remote can
// run against (tcp_consumer, udp_consumer; Linux only).  Spawned by
// ipc_bench they take --connect and --payload; started by hand they take
// --listen ADDR:PORT --token SECRET [--idle-timeout SECONDS] and then neither
// --connect nor --payload.  The Windows consumers take --port: loopback
// only, no --remote.
#include <chrono>
#include <cmath>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "../consumer_cli.hpp"
#include "ipc/inet.hpp"
#include "ipc/remote.hpp"

namespace ipc {

class ListenCli : public ConsumerCli {
 public:
  using ConsumerCli::ConsumerCli;

  // --connect A.B.C.D:PORT, checked while parsing (a bad one is a usage error).
  void add_endpoint_option(std::string& endpoint) {
    connect_option_ = app().add_option("--connect", endpoint, "producer address, A.B.C.D:PORT")
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
    listen.name = name();
    payload_option()->required(false);
    connect_option_->required(false);
    listen_option_ =
        app().add_option("--listen", listen.endpoint,
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
    token_option_ = app().add_option("--token", listen.token, "with --listen: the secret a producer must present");
    idle_option_ = app().add_option("--idle-timeout", idle_seconds_,
                                    "with --listen: give up on a producer silent for this many seconds (default 30)");
  }

  // serve(payload) when spawned, serve_listen() with --listen.
  int run(int argc, char** argv, const std::function<int(std::size_t payload)>& serve,
          std::function<int()> serve_listen) {
    serve_listen_ = std::move(serve_listen);
    return ConsumerCli::run(argc, argv, serve);
  }

 private:
  std::optional<int> after_parse() override {
    if (listen_option_ && listen_option_->count() > 0) return run_listen();
    if (listen_) {
      for (const CLI::Option* option : {token_option_, idle_option_}) {
        if (option->count() > 0) return usage_error(fmt::format("{} goes with --listen", option->get_name()));
      }
      for (const CLI::Option* option : {connect_option_, payload_option()}) {
        if (option->count() == 0) return usage_error(fmt::format("{} is required (or --listen)", option->get_name()));
      }
    }
    return std::nullopt;
  }

  int run_listen() {
    for (const char* name : {"--connect", "--payload", "--nodelay"}) {
      const CLI::Option* option = app().get_option_no_throw(name);
      if (option && option->count() > 0)
        return usage_error(fmt::format("--listen takes no {}: the producer's hello gives the run's parameters", name));
    }
    if (token_option_->count() == 0) return usage_error("--listen needs --token SECRET");
    if (const auto problem = token_problem(listen_->token)) return usage_error(fmt::format("--token: {}", *problem));
    if (!std::isfinite(idle_seconds_) || idle_seconds_ < 0.001 || idle_seconds_ > 86400)
      return usage_error("--idle-timeout: expected seconds between 0.001 and 86400");
    listen_->idle_timeout = std::chrono::milliseconds(std::llround(idle_seconds_ * 1000));
    return guarded(serve_listen_);
  }

  CLI::Option* connect_option_ = nullptr;
  CLI::Option* listen_option_ = nullptr;
  CLI::Option* token_option_ = nullptr;
  CLI::Option* idle_option_ = nullptr;
  ListenOptions* listen_ = nullptr;
  double idle_seconds_ = 30;
  std::function<int()> serve_listen_;
};

}  // namespace ipc

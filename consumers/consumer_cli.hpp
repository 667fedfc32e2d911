#pragma once
// The command line every consumer shares: --payload BYTES plus its own
// options.  Bad arguments print the error and the usage and exit 2; a failure
// while serving prints one line and exits 1.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstddef>
#include <cstdio>
#include <exception>
#include <functional>
#include <string>

#include "ipc/inet.hpp"
#include "ipc/parse.hpp"

namespace ipc {

class ConsumerCli {
 public:
  ConsumerCli(std::string name, std::string description) : name_(std::move(name)), app_(std::move(description), name_) {
    app_.add_option("--payload", payload_text_, "bytes per ping and pong (4, 4K, 1M)")->required();
  }

  CLI::App& app() noexcept { return app_; }

  // --connect A.B.C.D:PORT, checked while parsing (a bad one is a usage error).
  void add_endpoint_option(std::string& endpoint) {
    app_.add_option("--connect", endpoint, "producer address, A.B.C.D:PORT")
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

  int run(int argc, char** argv, const std::function<int(std::size_t payload)>& serve) {
    try {
      app_.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
      std::fputs(app_.help().c_str(), stdout);
      return 0;
    } catch (const CLI::ParseError& e) {
      return usage_error(e.what());
    }
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
  int usage_error(const std::string& message) {
    fmt::print(stderr, "{}: {}\n{}", name_, message, app_.help());
    return 2;
  }

  std::string name_;
  CLI::App app_;
  std::string payload_text_;
};

}  // namespace ipc

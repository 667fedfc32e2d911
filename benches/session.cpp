#include "session.hpp"

#include <chrono>
#include <exception>

#include "consumer_for.hpp"

namespace ipc::bench {
namespace {

// Untimed, and lasts what it says: the time is checked after every round
// trip (a clock read and a virtual call each, which only an untimed loop
// can afford), so the last round trip is the only overshoot.
void warm_up(Runner& runner, const WarmUp& warm_up) {
  if (warm_up.round_trips > 0) runner.round_trips(warm_up.round_trips);
  const auto until = std::chrono::steady_clock::now() + warm_up.duration;
  while (std::chrono::steady_clock::now() < until) runner.round_trips(1);
}

}  // namespace

Runner& Session::runner_for(const BenchSpec& spec) {
  std::string name = spec.name();
  if (runner_ && name == current_name_) return *runner_;
  finish();
  const Options& o = options_;
  const RunnerOptions local{spec.payload, consumer_for(*spec.transport, o), spec.cpus.consumer, o.timeout, o.check};
  if (o.remote) {
    runner_ = spec.transport->remote({spec.payload, o.remote->endpoint, o.remote->token, o.timeout, o.check});
  } else if (spec.fanout > 1) {
    runner_ = spec.transport->start_fanout({local, spec.consumer_cpus});
  } else {
    runner_ = spec.transport->start(local);
  }
  ++starts_;
  current_name_ = std::move(name);
  try {
    warm_up(*runner_, spec.pair ? o.pair_warm_up : o.warm_up);
  } catch (...) {
    drop();
    throw;
  }
  return *runner_;
}

std::optional<std::string> Session::begin_call(const std::string& name) {
  if (name != calls_of_) {
    calls_of_ = name;
    calls_ = 0;
    first_failure_.reset();
  }
  ++calls_;
  if (!first_failure_) return std::nullopt;
  return "not run: the first run of this benchmark failed (" + *first_failure_ + ")";
}

void Session::failed(const std::string& message) {
  if (calls_ == 1) first_failure_ = message;
}

void Session::drop() noexcept {
  runner_.reset();
  current_name_.clear();
}

void Session::finish() noexcept {
  if (!runner_) return;
  try {
    runner_->finish();
  } catch (const std::exception& e) {
    failures_.push_back({current_name_, e.what()});
  }
  drop();
}

}  // namespace ipc::bench

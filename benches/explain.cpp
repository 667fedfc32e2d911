#include "explain.hpp"

#include <fmt/format.h>
#include <unistd.h>

namespace ipc::bench {
namespace {

constexpr SideEvent kReported[] = {SideEvent::syscalls,   SideEvent::rw_calls,    SideEvent::switches,
                                   SideEvent::involuntary_switches, SideEvent::migrations, SideEvent::page_faults};

void report_side(benchmark::State& state, const char* side, const SideCounts& d, std::uint64_t round_trips) {
  for (const SideEvent e : kReported) {
    if (const auto& v = d[e])
      state.counters[fmt::format("{}_{}", side, side_event_name(e))] =
          benchmark::Counter(static_cast<double>(*v) / static_cast<double>(round_trips));
  }
}

std::string sources(const SideCounters& counters) {
  std::string text;
  for (const SideEvent e : kReported) text += fmt::format("; {}: {}", side_event_name(e), counters.source(e));
  text += fmt::format("; cpu: {}", counters.source(SideEvent::cpu_ns));
  return text;
}

}  // namespace

BatchCounters::BatchCounters(pid_t consumer) noexcept : producer_(SideCounters::calling_thread()) {
  if (consumer > 0) consumer_.emplace(SideCounters::process(consumer));
}

void BatchCounters::before() noexcept {
  if (consumer_) consumer_before_ = consumer_->read();
  producer_before_ = producer_.read();
}

void BatchCounters::after() noexcept {
  producer_delta_ = difference(producer_before_, producer_.read());
  if (consumer_) consumer_delta_ = difference(consumer_before_, consumer_->read());
}

void BatchCounters::report(benchmark::State& state, std::uint64_t round_trips) const {
  if (round_trips == 0) return;
  report_side(state, "producer", producer_delta_, round_trips);
  if (consumer_) report_side(state, "consumer", consumer_delta_, round_trips);
}

std::optional<std::uint64_t> BatchCounters::consumer_cpu_ns() const noexcept {
  if (!consumer_) return std::nullopt;
  return consumer_delta_[SideEvent::cpu_ns];
}

std::string explain_source(bool remote) {
  std::string text = "producer: the benchmark thread only (not the watchdog, not a library's own threads)" +
                     sources(SideCounters::calling_thread());
  if (remote) return text + " | consumer: remote, not counted";
  return text + " | consumer: every thread of the consumer process at the batch's start" +
         sources(SideCounters::process(::getpid()));
}

}  // namespace ipc::bench

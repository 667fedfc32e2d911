#include "bench_spec.hpp"

#include <fmt/format.h>

namespace ipc::bench {

std::string BenchSpec::name() const {
  return fmt::format("{}/payload:{}/placement:{}{}{}{}", transport->name, payload, placement_label(),
                     fanout > 1 ? fmt::format("/fanout:{}", fanout) : "", rate ? fmt::format("/rate:{}", *rate) : "",
                     check == Check::full ? "/check:full" : "");
}

std::string BenchSpec::placement_label() const {
  if (pair) return fmt::format("cpus-{}-{}", cpus.producer.value_or(-1), cpus.consumer.value_or(-1));
  return std::string(to_string(placement));
}

std::string BenchSpec::placement_column() const {
  return fanout > 1 ? fmt::format("{} fanout:{}", placement_label(), fanout) : placement_label();
}

}  // namespace ipc::bench

#include "bench_spec.hpp"

#include <fmt/format.h>

namespace ipc::bench {

std::string BenchSpec::name() const {
  return fmt::format("{}/payload:{}/placement:{}{}{}", transport->name, payload, to_string(placement),
                     rate ? fmt::format("/rate:{}", *rate) : "", check == Check::full ? "/check:full" : "");
}

}  // namespace ipc::bench

// Built without iceoryx: both transports stay registered, and refused.
#include <fmt/format.h>

#include "ipc/error.hpp"
#include "ipc/transport/iceoryx/iceoryx.hpp"

namespace ipc::transport::iceoryx {

std::string unavailable() {
  return "built without iceoryx (experimental, off by default: apt-get install libiceoryx-posh-dev "
         "libiceoryx-hoofs-dev iceoryx, then reconfigure with -DIPC_BENCH_WITH_ICEORYX=ON)";
}
std::unique_ptr<Runner> start(const RunnerOptions& /*options*/) { throw Error(unavailable()); }
std::unique_ptr<Runner> start_spin(const RunnerOptions& /*options*/) { throw Error(unavailable()); }
std::pair<std::string, std::string> prepare(std::span<const std::size_t> /*payloads*/,
                                            std::chrono::milliseconds /*timeout*/) {
  return {};
}
int serve(const std::string& /*instance*/, std::size_t /*payload*/, bool /*spin*/) { throw Error(unavailable()); }

}  // namespace ipc::transport::iceoryx

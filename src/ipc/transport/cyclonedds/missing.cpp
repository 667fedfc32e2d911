// Built without Cyclone DDS: both transports stay registered, and refused.
#include "ipc/error.hpp"
#include "ipc/transport/cyclonedds/cyclonedds.hpp"

namespace ipc::transport::cyclonedds {

std::string unavailable() {
  return "built without Cyclone DDS (experimental, off by default: apt-get install cyclonedds-dev, then "
         "reconfigure with -DIPC_BENCH_WITH_CYCLONEDDS=ON)";
}
std::string unavailable_shm() { return unavailable(); }
std::unique_ptr<Runner> start(const RunnerOptions& /*options*/) { throw Error(unavailable()); }
std::unique_ptr<Runner> start_shm(const RunnerOptions& /*options*/) { throw Error(unavailable()); }
int serve(unsigned /*domain*/, const std::string& /*partition*/, std::size_t /*payload*/, bool /*shm*/) {
  throw Error(unavailable());
}

}  // namespace ipc::transport::cyclonedds

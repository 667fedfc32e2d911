// boost_mq and boost_cond in a build without Boost.Interprocess: registered,
// refused in one line.
#include "ipc/error.hpp"
#include "ipc/transport/boost_interprocess/boost_interprocess.hpp"

namespace ipc::transport::boost_interprocess {

std::string unavailable() {
  return "built without Boost.Interprocess (Debian: apt-get install libboost-dev, then rebuild)";
}

std::unique_ptr<Runner> start_mq(const RunnerOptions& /*options*/) { throw Error(unavailable()); }
std::unique_ptr<Runner> start_cond(const RunnerOptions& /*options*/) { throw Error(unavailable()); }
int serve_mq(const std::string& /*ping*/, const std::string& /*pong*/, std::size_t /*payload*/) {
  throw Error(unavailable());
}
int serve_cond(const std::string& /*segment*/, std::size_t /*payload*/) { throw Error(unavailable()); }

}  // namespace ipc::transport::boost_interprocess

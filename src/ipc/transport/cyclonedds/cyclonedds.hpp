#pragma once
// cyclonedds: a ping topic and a pong topic of Cyclone DDS, reliable,
// keep-last 1, over its default UDP transport on the loopback interface,
// each side asleep on a WaitSet.  cyclonedds_shm: the same over Cyclone's
// shared-memory (iceoryx) path, with RouDi (ipc/transport/iceoryx/roudi.hpp).
#include <cstddef>
#include <memory>
#include <string>

#include "ipc/runner.hpp"

namespace ipc::transport::cyclonedds {

// The largest payload, bytes: DDS fragments a sample over UDP datagrams,
// and a reliable writer keeps the whole sample until it is acknowledged.
inline constexpr std::size_t kMaxPayload = 4 * 1024 * 1024;

std::unique_ptr<Runner> start(const RunnerOptions& options);      // cyclonedds
std::unique_ptr<Runner> start_shm(const RunnerOptions& options);  // cyclonedds_shm
// Why each cannot run here, in one line, or empty.  Never throws.
std::string unavailable();
std::string unavailable_shm();
// The consumer side: joins `domain` (its configuration built as the
// producer's), reads pings in `partition`, writes each back as a pong, asleep
// on a WaitSet, until an empty sample.  Throws ipc::Error.
int serve(unsigned domain, const std::string& partition, std::size_t payload, bool shm);

}  // namespace ipc::transport::cyclonedds

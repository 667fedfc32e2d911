#pragma once
// boost_mq: a pair of boost::interprocess::message_queues, one message per
// ping and per pong.  boost_cond: an interprocess_mutex and an
// interprocess_condition per direction in a managed_shared_memory segment.
// Both are Boost.Interprocess as its users write it (Debian: libboost-dev,
// header-only); built without it, start() throws and unavailable() says so.
#include <cstddef>
#include <memory>
#include <string>

#include "ipc/runner.hpp"

namespace ipc::transport::boost_interprocess {

std::unique_ptr<Runner> start_mq(const RunnerOptions& options);    // boost_mq
std::unique_ptr<Runner> start_cond(const RunnerOptions& options);  // boost_cond
// Why these transports cannot run: "built without Boost.Interprocess ..." in
// a build that lacks it; empty otherwise.  Never throws.
std::string unavailable();

// The consumer sides.  serve_mq opens queues `ping` and `pong` (names as
// given on the command line) and serve_cond the segment `segment`; each says
// READY and echoes pings until the stop.  Throw ipc::Error.
int serve_mq(const std::string& ping, const std::string& pong, std::size_t payload);
int serve_cond(const std::string& segment, std::size_t payload);

}  // namespace ipc::transport::boost_interprocess

#pragma once
// dbus: a method call carrying the ping as a byte array and its reply
// carrying the pong, through a D-Bus daemon.  ipc_bench starts a private
// dbus-daemon for the run, unless $IPC_BENCH_DBUS_ADDRESS names a bus to use.
#include <cstddef>
#include <memory>
#include <string>

#include "ipc/runner.hpp"

namespace ipc::transport::dbus {

// The environment variable that names a running bus (a D-Bus address such
// as unix:path=/run/user/1000/bus) instead of a private daemon.
inline constexpr const char* kAddressVariable = "IPC_BENCH_DBUS_ADDRESS";

std::unique_ptr<Runner> start(const RunnerOptions& options);
// Why no bus can be had here (one line), or empty.  Never throws.
std::string unavailable();
// The consumer side: connects to the bus at `address`, calls Ready on
// `producer` (a unique bus name), then answers Ping calls from it with their
// own bytes until it calls Stop.  Throws ipc::Error.
int serve(const std::string& address, const std::string& producer, std::size_t payload);

}  // namespace ipc::transport::dbus

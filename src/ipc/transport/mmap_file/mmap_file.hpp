#pragma once
// mmap_file: a regular file in a private temporary directory, mapped shared
// by both sides, each busy-waiting on the other's sequence counter as in
// shm_spin.
#include <cstddef>
#include <memory>
#include <string>

#include "ipc/runner.hpp"

namespace ipc::transport::mmap_file {

std::unique_ptr<Runner> start(const RunnerOptions& options);
// The consumer side: maps the file at `path` and echoes pings until the stop value.
int serve(const std::string& path, std::size_t payload);

}  // namespace ipc::transport::mmap_file

#pragma once
// What boost_mq and boost_cond share: the /dev/shm check, Boost's errors
// turned into ipc::Error, the permissions of what they create.
#include <fmt/format.h>
#include <sys/statvfs.h>

#include <boost/interprocess/exceptions.hpp>
#include <boost/interprocess/permissions.hpp>
#include <cstddef>
#include <string_view>
#include <utility>

#include "ipc/error.hpp"

namespace ipc::transport::boost_interprocess {

// Boost sizes its shared-memory objects with ftruncate and touches them at
// once: on a full tmpfs that is a SIGBUS, not an error.  Refused beforehand
// instead, as posix_fallocate does for the project's own segments (which
// Boost does not let us call on its descriptor).
inline void check_shm_space(std::size_t needed) {
  struct statvfs fs {};
  if (::statvfs("/dev/shm", &fs) != 0) return;  // no /dev/shm to ask: Boost's own error will say
  const auto free_bytes = static_cast<unsigned long long>(fs.f_bavail) * fs.f_frsize;
  if (free_bytes < needed)
    throw Error(fmt::format("/dev/shm has {} bytes free, {} needed: free space there or raise its size (mount -o "
                            "remount,size=...)",
                            free_bytes, needed));
}

// Runs `body`, a Boost.Interprocess call, with its interprocess_exception
// turned into ipc::Error("<what>: <Boost's message>").
template <class Body>
decltype(auto) boost_call(std::string_view what, Body&& body) {
  try {
    return std::forward<Body>(body)();
  } catch (const boost::interprocess::interprocess_exception& e) {
    throw Error(fmt::format("{}: {}", what, e.what()));
  }
}

// Created exclusively and for this user only, as the project's own segments.
inline boost::interprocess::permissions owner_only() { return boost::interprocess::permissions(0600); }

}  // namespace ipc::transport::boost_interprocess

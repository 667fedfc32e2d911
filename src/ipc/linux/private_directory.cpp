#include "ipc/private_directory.hpp"

#include <fmt/format.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>
#include <utility>

#include "ipc/error.hpp"

namespace ipc {

PrivateDirectory PrivateDirectory::create() {
  std::error_code ec;
  const std::filesystem::path temp = std::filesystem::temp_directory_path(ec);
  if (ec) throw Error(fmt::format("no directory for temporary files: {}", ec.message()));
  // The same "ipc_bench-<pid>-" prefix as the shared-memory names, so that
  // whatever a run leaves behind can be traced to its process.
  std::string path = (temp / fmt::format("ipc_bench-{}-XXXXXX", ::getpid())).string();
  if (::mkdtemp(path.data()) == nullptr) throw_errno("mkdtemp " + path);
  return PrivateDirectory(std::move(path));
}

PrivateDirectory::PrivateDirectory(PrivateDirectory&& other) noexcept
    : path_(std::move(other.path_)), exists_(std::exchange(other.exists_, false)) {}

std::string PrivateDirectory::entry(std::string_view name) const { return fmt::format("{}/{}", path_, name); }

void PrivateDirectory::remove() noexcept {
  if (!exists_) return;
  exists_ = false;
  std::error_code ec;  // nothing to report from a destructor; the tests look for leftovers
  std::filesystem::remove_all(path_, ec);
}

}  // namespace ipc

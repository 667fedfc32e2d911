#include "ipc/private_directory.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <utility>

#include "ipc/error.hpp"

namespace ipc {

PrivateDirectory PrivateDirectory::create() {
  std::error_code ec;
  const auto temp = std::filesystem::temp_directory_path(ec);
  if (ec) throw Error(fmt::format("no temporary directory: {}", ec.message()));
  std::string path = (temp / fmt::format("ipc_bench-{}-XXXXXX", ::getpid())).string();
  if (::mkdtemp(path.data()) == nullptr) throw_errno("mkdtemp " + path);  // mode 0700
  return PrivateDirectory(std::move(path));
}

PrivateDirectory::PrivateDirectory(PrivateDirectory&& other) noexcept
    : path_(std::exchange(other.path_, {})), entries_(std::exchange(other.entries_, {})) {}

std::string PrivateDirectory::entry(std::string_view name) {
  std::string path = fmt::format("{}/{}", path_, name);
  entries_.push_back(path);
  return path;
}

void PrivateDirectory::remove() noexcept {
  if (path_.empty()) return;
  // Some entries may never have been created: ENOENT is fine.
  for (const std::string& entry : entries_) ::unlink(entry.c_str());
  ::rmdir(path_.c_str());
  entries_.clear();
  path_.clear();
}

}  // namespace ipc

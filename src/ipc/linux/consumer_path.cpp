#include "ipc/consumer_path.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

namespace ipc {

std::string consumer_directory() {
  if (const char* dir = std::getenv("IPC_BENCH_CONSUMER_DIR"); dir && *dir) return dir;
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : self.parent_path().string();
}

std::string consumer_path(std::string_view executable) {
  return (std::filesystem::path(consumer_directory()) / executable).string();
}

bool names_a_path(std::string_view name) noexcept { return name.find('/') != std::string_view::npos; }

std::optional<std::string> find_executable(std::string_view name) {
  const auto runnable = [](const std::string& path) {
    std::error_code ec;
    return !std::filesystem::is_directory(path, ec) && ::access(path.c_str(), X_OK) == 0;
  };
  if (name.empty()) return std::nullopt;
  if (names_a_path(name)) {
    std::string path(name);
    return runnable(path) ? std::optional(path) : std::nullopt;
  }
  const char* env = std::getenv("PATH");
  const std::string_view search = env && *env ? env : "/usr/local/bin:/usr/bin:/bin";
  for (std::size_t start = 0; start <= search.size();) {
    const std::size_t end = std::min(search.find(':', start), search.size());
    const std::string_view dir = search.substr(start, end - start);
    const std::string path = (std::filesystem::path(dir.empty() ? "." : std::string(dir)) / name).string();
    if (runnable(path)) return path;
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace ipc

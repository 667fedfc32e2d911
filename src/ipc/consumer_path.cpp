#include "ipc/consumer_path.hpp"

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

}  // namespace ipc

#include "machine.hpp"

#include <fmt/format.h>
#include <sys/utsname.h>

#include <fstream>

namespace ipc::bench {

std::string kernel_version() {
  utsname name{};
  if (::uname(&name) != 0) return "unknown";
  return fmt::format("{} {}", name.sysname, name.release);
}

std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (!line.starts_with("model name")) continue;
    const auto colon = line.find(':');
    if (colon != std::string::npos && colon + 2 <= line.size()) return line.substr(colon + 2);
  }
  return "unknown";
}

}  // namespace ipc::bench

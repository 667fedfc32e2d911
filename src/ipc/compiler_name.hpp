#pragma once
// The compiler that built ipc_core, for the machine fingerprint: "g++
// 12.2.0", "clang 16.0.6", or "unknown".  Private to ipc_core.
#include <fmt/format.h>

#include <string>

#include "text_file.hpp"

namespace ipc::detail {

[[nodiscard]] inline std::string compiler_name() {
#if defined(__clang__)
  return fmt::format("clang {}", trim(__clang_version__));
#elif defined(__GNUC__)
  return fmt::format("g++ {}", __VERSION__);
#else
  return "unknown";
#endif
}

}  // namespace ipc::detail

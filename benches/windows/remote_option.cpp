// --remote on Windows: refused (see remote_option.hpp).  Linux:
// linux/remote_option.cpp.
#include "remote_option.hpp"

#include "usage_error.hpp"

namespace ipc::bench {
namespace {

[[noreturn]] void refuse() {
  throw UsageError("--remote is not available in the Windows build: its consumers run on this machine");
}

}  // namespace

RemoteTarget resolve_remote(const std::string&, bool, const std::string&, const RemoteContext&,
                            std::vector<Placement>&) {
  refuse();
}

bool remote_available() noexcept { return false; }

// Not reached: resolve_remote refused --remote already.
void resolve_remote_host(RemoteTarget&) { refuse(); }

}  // namespace ipc::bench

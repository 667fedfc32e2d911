// machine_cautions on Windows (see caution.hpp).  Linux: linux/caution.cpp.
#include "ipc/windows/win32.hpp"

#include "caution.hpp"

namespace ipc::bench {

std::vector<std::string> machine_cautions(const std::set<int>&, std::size_t, const Topology&, bool) {
  std::vector<std::string> causes;
  // The fingerprint's kernel value names wine's version and host.  Found
  // before and after the run, it is one caution (Cautions::add).
  if (win32::under_wine())
    causes.push_back("running under wine: the round trips are wine's emulation of Windows on another kernel, "
                     "not Windows'; the consumer's CPU time is not read (wine reports the caller's own)");
  return causes;
}

}  // namespace ipc::bench

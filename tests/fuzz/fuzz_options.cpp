// libFuzzer target: ipc_bench's command line (payload and CPU lists, sizes
// with suffixes, counts, warm-up, placements).  The input is split into
// arguments at NUL bytes.  Every input must end in Options or a UsageError:
// never a crash, a hang or another exception.
//
// --json is dropped from the input: its check creates the file it names.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ipc/topology.hpp"
#include "options.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args{"ipc_bench"};
  std::string current;
  for (std::size_t i = 0; i <= size; ++i) {
    if (i == size || data[i] == 0) {
      if (current.rfind("--json", 0) != 0) args.push_back(current);
      current.clear();
    } else {
      current.push_back(static_cast<char>(data[i]));
    }
  }
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  try {
    static const ipc::Topology topology = ipc::Topology::read();
    (void)ipc::bench::parse_options(static_cast<int>(argv.size()), argv.data(), {0, 1, 2, 3}, topology);
  } catch (const ipc::bench::UsageError&) {
  } catch (const ipc::bench::HelpShown&) {
  }
  return 0;
}

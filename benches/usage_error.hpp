#pragma once
// UsageError: bad input on ipc_bench's command line.  A header of its own
// because the parsers of every option (options.cpp, benchmark_flags.cpp,
// the output files' checks) throw it, and none of them needs Options.
#include <stdexcept>

namespace ipc::bench {

// Bad input: the message is one line for the user; ipc_bench exits 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace ipc::bench

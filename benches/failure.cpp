#include "failure.hpp"

namespace ipc::bench {

void fail(benchmark::State& state, const std::string& message) {
  state.SkipWithError(message.c_str());
  // After SkipWithError this loop body never runs; starting it makes
  // iterations() the planned count instead of 0.
  while (state.KeepRunningBatch(state.max_iterations)) {
  }
}

}  // namespace ipc::bench

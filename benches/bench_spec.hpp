#pragma once
// One benchmark: a transport at one payload and placement.
#include <cstddef>
#include <string>

#include "ipc/placement.hpp"
#include "ipc/registry.hpp"

namespace ipc::bench {

struct BenchSpec {
  const Transport* transport;
  std::size_t payload;
  Placement placement;
  CpuAssignment cpus;

  // "<transport>/payload:<bytes>/placement:<placement>": every parameter that
  // changes the result, and nothing else.
  [[nodiscard]] std::string name() const;
};

}  // namespace ipc::bench

#pragma once
// One benchmark: a transport at one payload and placement.
#include <cstddef>
#include <string>

#include "ipc/message.hpp"
#include "ipc/placement.hpp"
#include "ipc/registry.hpp"

namespace ipc::bench {

struct BenchSpec {
  const Transport* transport;
  std::size_t payload;
  Placement placement;
  CpuAssignment cpus;
  Check check = Check::sampled;

  // "<transport>/payload:<bytes>/placement:<placement>", then "/check:full"
  // when every byte of every pong is compared: every parameter that changes
  // the result, and nothing else.
  [[nodiscard]] std::string name() const;
};

}  // namespace ipc::bench

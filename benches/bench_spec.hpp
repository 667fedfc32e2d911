#pragma once
// One benchmark: a transport at one payload and placement.
#include <cstddef>
#include <cstdint>
#include <optional>
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
  std::optional<std::uint64_t> rate;  // open loop: messages per second; nullopt: the closed loop

  // "<transport>/payload:<bytes>/placement:<placement>", then "/rate:<msgs
  // per second>" in open loop and "/check:full" when every byte of every
  // pong is compared: every parameter that changes the result, and nothing
  // else (a closed-loop name is what it always was).
  [[nodiscard]] std::string name() const;
};

}  // namespace ipc::bench

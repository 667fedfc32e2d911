#pragma once
// One benchmark: a transport at one payload and placement.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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
  // --placement pairs: one of every ordered pair of allowed CPUs, named by
  // its CPUs (placement is split, cpus the pair).
  bool pair = false;
  // --fanout: the consumers each ping goes to; above 1, consumer_cpus holds
  // each one's CPU (empty when unpinned) and the name gains "/fanout:N".
  unsigned fanout = 1;
  std::vector<std::optional<int>> consumer_cpus{};

  // "<transport>/payload:<bytes>/placement:<placement>", then "/fanout:N"
  // for N > 1, "/rate:<msgs
  // per second>" in open loop and "/check:full" when every byte of every
  // pong is compared: every parameter that changes the result, and nothing
  // else (a closed-loop name is what it always was).  A pair of --placement
  // pairs is "placement:cpus-<producer>-<consumer>".
  [[nodiscard]] std::string name() const;
  // What the name says after "placement:": "split", "cpus-0-1".
  [[nodiscard]] std::string placement_label() const;
  // The summary's placement column: the label, and "fanout:N" for N > 1.
  [[nodiscard]] std::string placement_column() const;
};

}  // namespace ipc::bench

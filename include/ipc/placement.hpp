#pragma once
// Placement: where the producer and the consumer run.  On virtual machines it
// changes a blocking round trip tenfold, and on a large server the pair of
// CPUs does (docs/methodology.md), so it is a parameter of every result.
//
// CPU numbers are the kernel's on Linux.  On Windows they are bit numbers of
// an affinity mask within one processor group (of at most 64 CPUs): only
// group 0 is supported, which is the only group of a machine with at most 64
// logical CPUs; on a larger one the numbers are those of the process's own
// group, which topology.hpp does not describe unless it is group 0.
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace ipc {

class Topology;

enum class Placement {
  split,  // producer and consumer pinned to two distinct CPUs
  same,   // both pinned to one CPU
  none,   // not pinned: the scheduler decides
  // Topology classes: two distinct CPUs, chosen by what lies between them.
  smt,         // two hardware threads of one core
  llc,         // two cores sharing the last-level cache
  cross_llc,   // two last-level caches on one NUMA node (or package)
  cross_node,  // two NUMA nodes (or packages)
};

[[nodiscard]] std::optional<Placement> parse_placement(std::string_view text) noexcept;
[[nodiscard]] std::string_view to_string(Placement placement) noexcept;
// One line for help and messages, e.g. "two hardware threads of one core".
[[nodiscard]] std::string_view describe(Placement placement) noexcept;

// The CPUs this process may run on, ascending.  Linux: sched_getaffinity;
// Windows: GetProcessAffinityMask.  Throws ipc::Error if the call fails.
[[nodiscard]] std::vector<int> allowed_cpus();

struct CpuAssignment {
  std::optional<int> producer;
  std::optional<int> consumer;
};

// The CPUs for `placement`.  With `chosen` (--cpus A,B): those, after
// checking they are allowed and, for a topology class, of that class.
// Otherwise split and same take the first allowed CPUs, and a topology class
// takes the lowest allowed pair of its class (the lowest producer CPU, then
// the lowest consumer CPU).  Throws ipc::Error with a one-line message if the
// placement is impossible here; a missing class names the ones there are.
[[nodiscard]] CpuAssignment assign_cpus(Placement placement, std::optional<std::pair<int, int>> chosen,
                                        const std::vector<int>& allowed, const Topology& topology);

// The placements assign_cpus accepts here without --cpus, in the order
// same, split, none, smt, llc, cross_llc, cross_node.
[[nodiscard]] std::vector<Placement> available_placements(const Topology& topology, const std::vector<int>& allowed);

// The nearest class CPUs a and b form: same, smt, llc, cross_llc or
// cross_node; std::nullopt where the topology cannot tell.  Says what a
// `split` or --cpus pair really is.
[[nodiscard]] std::optional<Placement> classify_pair(int a, int b, const Topology& topology) noexcept;

// Pins the calling thread to `cpu` (if any) and restores its previous
// affinity on destruction.  Linux: sched_setaffinity; Windows:
// SetThreadAffinityMask, which returns the previous mask.  Throws ipc::Error
// if the thread cannot be pinned (on Windows also for a CPU above 63).
class ScopedPin {
 public:
  explicit ScopedPin(std::optional<int> cpu);
  ScopedPin(const ScopedPin&) = delete;
  ScopedPin& operator=(const ScopedPin&) = delete;
  ~ScopedPin();

 private:
  // The thread's affinity before: a cpu_set_t (Linux), a DWORD_PTR mask
  // (Windows).  Null when nothing was pinned.
  struct Previous;
  std::unique_ptr<Previous> previous_;
};

}  // namespace ipc

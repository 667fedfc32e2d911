#pragma once
// Placement: where the producer and the consumer run.  On virtual machines it
// changes a blocking round trip tenfold (docs/methodology.md), so it is a
// parameter of every result.
#include <sched.h>

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace ipc {

enum class Placement {
  split,  // producer and consumer pinned to two distinct CPUs
  same,   // both pinned to one CPU
  none,   // not pinned: the scheduler decides
};

[[nodiscard]] std::optional<Placement> parse_placement(std::string_view text) noexcept;
[[nodiscard]] std::string_view to_string(Placement placement) noexcept;

// The CPUs this process may run on, ascending.
[[nodiscard]] std::vector<int> allowed_cpus();

struct CpuAssignment {
  std::optional<int> producer;
  std::optional<int> consumer;
};

// The CPUs for `placement`: `chosen` (--cpus A,B) or else the first allowed
// ones.  Throws ipc::Error if the placement is impossible here.
[[nodiscard]] CpuAssignment assign_cpus(Placement placement, std::optional<std::pair<int, int>> chosen,
                                        const std::vector<int>& allowed);

// Pins the calling thread to `cpu` (if any) and restores its previous
// affinity on destruction.
class ScopedPin {
 public:
  explicit ScopedPin(std::optional<int> cpu);
  ScopedPin(const ScopedPin&) = delete;
  ScopedPin& operator=(const ScopedPin&) = delete;
  ~ScopedPin();

 private:
  cpu_set_t previous_{};
  bool pinned_ = false;
};

}  // namespace ipc

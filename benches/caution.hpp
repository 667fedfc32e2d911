#pragma once
// What is known to spoil IPC timings, checked before and after the run and
// after each result (docs/methodology.md, "Reading the output"): each cause
// becomes one caution line on stderr and one entry of the JSON context key
// `warnings`.  A caution does not change the exit status: the figures are
// still what was measured, only less to be trusted.
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ipc/topology.hpp"
#include "machine_probes.hpp"
#include "summary.hpp"

namespace ipc::bench {

// A result whose mean is above this multiple of its p50: a few very slow
// round trips (preemption, another process) carry the mean.
inline constexpr double kMeanOverP50Bound = 2.0;
// With repetitions, a coefficient of variation of the means above this.
inline constexpr double kCvBound = 0.10;

class Cautions {
 public:
  // Adds `cause` unless one of its kind (the words before the first ':' or
  // " in ") is there already: a cause found before the run and again after
  // it, with other processes or figures, is one cause.  True when added.
  bool add(std::string cause);
  [[nodiscard]] const std::vector<std::string>& causes() const noexcept { return causes_; }
  // The causes separated by "; ", or "none".
  [[nodiscard]] std::string joined() const;

 private:
  std::vector<std::string> causes_;
};

// The machine's state: the load average against the CPUs allowed (before
// the run only: after it, the load average counts the run itself), threads
// of other processes busy on `cpus` or on their SMT siblings over a short
// sample, the frequency governor of `cpus`, the clock source.  Takes a
// quarter of a second (the sample).  Linux: linux/caution.cpp.
// Windows (windows/caution.cpp): none of these is read (no /proc: the load,
// other processes' threads and the power scheme would each need their own
// API); the one caution is running under wine, whose timings are not
// Windows'.  Returns at once.
std::vector<std::string> machine_cautions(const std::set<int>& cpus, std::size_t allowed_cpus, const Topology& topology,
                                          bool check_load);

// A result whose tail (max above kTailOverP50 x p50) fits within the
// largest stall the noise probe saw on its CPUs (max <= stall + p50): the
// tail may be the machine's alone.  One caution naming such results.
inline constexpr double kTailOverP50 = 10.0;
std::optional<std::string> machine_tail_caution(const std::vector<SummaryRow>& rows, const MachineProbes& probes);

// After the results: a mean above kMeanOverP50Bound x p50, a cv above kCvBound.
std::vector<std::string> result_cautions(const std::vector<SummaryRow>& rows);

}  // namespace ipc::bench

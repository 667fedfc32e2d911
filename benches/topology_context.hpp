#pragma once
// The JSON context's "topology": what the heatmap of --placement pairs
// draws its borders from (scripts/plot_heatmap.py).
#include <string>
#include <vector>

#include "ipc/topology.hpp"

namespace ipc::bench {

// One entry per allowed CPU, space-separated:
// "0:core=0,llc=0,node=0 1:core=0,llc=0,node=0", a core or a cache named by
// its lowest CPU (ipc/topology.hpp), "?" where the machine does not say.
[[nodiscard]] std::string topology_context(const Topology& topology, const std::vector<int>& allowed);

}  // namespace ipc::bench

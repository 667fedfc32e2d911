// SideCounters on Windows (side_counters.hpp): nothing is counted; every
// counter is absent and says so.
#include "ipc/side_counters.hpp"

namespace ipc {

struct SideCounters::State {
  std::string source = "absent: not counted on Windows";
};

SideCounters::SideCounters(std::unique_ptr<State> state) noexcept : state_(std::move(state)) {}
SideCounters::SideCounters(SideCounters&&) noexcept = default;
SideCounters& SideCounters::operator=(SideCounters&&) noexcept = default;
SideCounters::~SideCounters() = default;

SideCounters SideCounters::calling_thread() noexcept { return SideCounters(std::make_unique<State>()); }
SideCounters SideCounters::process(pid_t) noexcept { return SideCounters(std::make_unique<State>()); }
const std::string& SideCounters::source(SideEvent) const noexcept { return state_->source; }
SideCounts SideCounters::read() const noexcept { return {}; }

}  // namespace ipc

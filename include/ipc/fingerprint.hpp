#pragma once
// The machine a result came from, as far as it changes round trips: recorded
// with every result so that figures from different machines, kernels or
// settings are never compared unawares.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace ipc {

// (key, value) pairs in this fixed order; a value is never empty, and what
// cannot be read is "unknown" (never an exception):
//   cpu_model       proc/cpuinfo's first "model name"
//   kernel          uname's system name and release, "Linux 6.1.0-13-amd64"; under
//                   another root, proc/sys/kernel/{ostype,osrelease}
//   clocksource     sys/devices/system/clocksource/clocksource0/current_clocksource
//   governor        sys/devices/system/cpu/cpu0/cpufreq/scaling_governor
//   smt             "on" or "off": sys/devices/system/cpu/smt/control (on; off,
//                   forceoff), else smt/active (1, 0; "off" then also covers a
//                   CPU without SMT)
//   isolcpus        sys/devices/system/cpu/isolated, "none" when empty
//   mitigations     sys/devices/system/cpu/vulnerabilities/* summed up:
//                   "2 mitigated, 2 vulnerable (spec_store_bypass, srbds), 15 not affected"
//                   (and ", N unknown" for entries of another kind)
//   virtualization  "none", or the hypervisor: "kvm", "microsoft", "vmware", "xen",
//                   "qemu", "bhyve", "parallels", "acrn", "other".  Under root "/" on
//                   x86 from CPUID (leaf 1 ECX bit 31, signature at 0x40000000);
//                   otherwise sys/hypervisor/type, else proc/cpuinfo's "hypervisor"
//                   flag ("other" when set, "none" when the flags lack it)
//   compiler        the compiler that built ipc_core, "g++ 12.2.0" or "clang 16.0.6"
// and what moves a machine's floor (a cache-line or wake-up round trip)
// under the same CPU model:
//   microcode       proc/cpuinfo's first "microcode", "0xa0011d1"
//   bios            sys/class/dmi/id/bios_{vendor,version,date}: "SeaBIOS 1.16.2 (04/01/2014)"
//   preemption      the model in force from debugfs (sys/kernel/debug/sched/preempt:
//                   "voluntary (dynamic)"), else what proc/sys/kernel/version says
//                   of the build: "rt", "full", "dynamic (...)", "none or voluntary (...)"
//   cpuidle         sys/devices/system/cpu/cpuidle/current_driver and cpu0's states
//                   with their exit latencies: "intel_idle: POLL 0 us, C1 2 us,
//                   C6 170 us (disabled)"; "none" without cpuidle
//   transparent_hugepages  the bracketed choice of sys/kernel/mm/transparent_hugepage/enabled
//   sched_settings  every proc/sys/kernel/sched_* as name=value, sorted
//
// On Windows (windows/fingerprint.cpp) `root` is ignored, and the same keys
// read:
//   cpu_model       the CPUID brand string (what Linux shows as "model name")
//   kernel          "Windows 10.0.19045" from RtlGetVersion; under wine (ntdll
//                   exports wine_get_version) "Windows 10.0.19045 (wine 8.0 on
//                   Linux 6.1.0-13-amd64)": timings under wine are wine's
//   clocksource     "QueryPerformanceCounter (10 MHz)", its frequency
//   governor        the active power scheme, "Balanced (power scheme)"
//                   (PowerGetActiveScheme)
//   smt             "on" when a core has more than one logical CPU in
//                   Topology::read(), else "off"
//   isolcpus        "none"; mitigations "unknown" (not read)
//   virtualization  from CPUID, as above; compiler as above; the floor's
//                   entries (microcode ... sched_settings) "unknown": not read
[[nodiscard]] std::vector<std::pair<std::string, std::string>> machine_fingerprint(
    const std::filesystem::path& root = "/");

}  // namespace ipc

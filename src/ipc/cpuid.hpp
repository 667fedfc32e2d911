#pragma once
// What the x86 CPUID instruction tells about the CPU and the hypervisor, on
// any operating system: the instruction is the same under Linux and
// Windows.  On another architecture every answer is "not known".  Private to
// ipc_core.
#include <optional>
#include <string>

namespace ipc::detail {

// The processor brand string (leaves 0x80000002 to 0x80000004) without
// surrounding spaces, e.g. "AMD EPYC 7B13"; the text Linux shows as
// /proc/cpuinfo's "model name".  std::nullopt where the leaves are missing.
[[nodiscard]] std::optional<std::string> cpuid_brand();

// Whether the TSC is invariant (leaf 0x80000007 EDX bit 8): it ticks at one
// rate in every P-, C- and T-state.  Linux shows it as constant_tsc and
// nonstop_tsc.  False where the leaf is missing.
[[nodiscard]] bool cpuid_invariant_tsc();

// The hypervisor: "none" (leaf 1 ECX bit 31 clear), else from the signature
// at leaf 0x40000000: "kvm", "microsoft", "vmware", "xen", "qemu", "bhyve",
// "parallels", "acrn" or "other"; "unknown" if leaf 1 is missing.
// std::nullopt off x86, where there is no CPUID to ask.
[[nodiscard]] std::optional<std::string> cpuid_hypervisor();

}  // namespace ipc::detail

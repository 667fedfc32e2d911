#include "cpuid.hpp"

#include <cstring>
#include <string_view>
#include <utility>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define IPC_HAVE_CPUID 1
#endif

#include "text_file.hpp"

namespace ipc::detail {

#ifdef IPC_HAVE_CPUID

std::optional<std::string> cpuid_brand() {
  unsigned regs[12] = {};
  for (unsigned i = 0; i < 3; ++i) {
    unsigned* r = regs + 4 * i;
    // __get_cpuid checks the extended leaves' maximum (leaf 0x80000000).
    if (__get_cpuid(0x80000002 + i, &r[0], &r[1], &r[2], &r[3]) == 0) return std::nullopt;
  }
  char raw[sizeof regs + 1] = {};
  std::memcpy(raw, regs, sizeof regs);
  const std::string_view brand = trim(raw);  // NUL-padded, often space-padded in front
  if (brand.empty()) return std::nullopt;
  return std::string(brand);
}

bool cpuid_invariant_tsc() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  return __get_cpuid(0x80000007, &eax, &ebx, &ecx, &edx) != 0 && (edx & (1u << 8)) != 0;
}

std::optional<std::string> cpuid_hypervisor() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0) return "unknown";
  if ((ecx & (1u << 31)) == 0) return "none";
  // Hypervisor leaves are outside the range __get_cpuid checks: ask directly.
  __cpuid(0x40000000, eax, ebx, ecx, edx);
  char raw[12];
  std::memcpy(raw + 0, &ebx, 4);
  std::memcpy(raw + 4, &ecx, 4);
  std::memcpy(raw + 8, &edx, 4);
  const std::string_view signature(raw, sizeof raw);
  constexpr std::pair<std::string_view, std::string_view> kKnown[] = {
      {"KVMKVMKVM", "kvm"},     {"Microsoft Hv", "microsoft"}, {"VMwareVMware", "vmware"},
      {"XenVMMXenVMM", "xen"},  {"TCGTCGTCGTCG", "qemu"},      {"bhyve bhyve ", "bhyve"},
      {" lrpepyh  vr", "parallels"}, {"ACRNACRNACRN", "acrn"},
  };
  for (const auto& [prefix, name] : kKnown)
    if (signature.starts_with(prefix)) return std::string(name);
  return "other";
}

#else

std::optional<std::string> cpuid_brand() { return std::nullopt; }
bool cpuid_invariant_tsc() { return false; }
std::optional<std::string> cpuid_hypervisor() { return std::nullopt; }

#endif

}  // namespace ipc::detail

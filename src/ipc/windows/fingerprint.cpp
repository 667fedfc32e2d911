// machine_fingerprint on Windows (see fingerprint.hpp): the same keys in the
// same order as on Linux, from Win32, ntdll and CPUID.  Linux: fingerprint.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <string_view>

#include "../compiler_name.hpp"
#include "../cpuid.hpp"
#include "ipc/fingerprint.hpp"
#include "ipc/topology.hpp"
#include "ipc/windows/win32.hpp"

namespace ipc {
namespace {

constexpr std::string_view kUnknown = "unknown";

// A function of a DLL by name, or nullptr.  Through void (*)(): the one
// function pointer type GCC's -Wcast-function-type lets FARPROC become.
template <typename Function>
Function procedure(HMODULE module, const char* name) {
  return module ? reinterpret_cast<Function>(reinterpret_cast<void (*)()>(::GetProcAddress(module, name))) : nullptr;
}

// "Windows 10.0.19045" from RtlGetVersion (MSDN: "RtlGetVersion function"),
// which, unlike GetVersionExW, does not lie to a program without a
// compatibility manifest.  Under wine, ntdll also exports wine_get_version
// and wine_get_host_version: "Windows 10.0.19045 (wine 8.0 on Linux 6.1.0)",
// so that nobody takes wine's timings for Windows'.
std::string kernel() {
  const HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
  using RtlGetVersion = LONG(WINAPI*)(RTL_OSVERSIONINFOW*);
  const auto get_version = procedure<RtlGetVersion>(ntdll, "RtlGetVersion");
  RTL_OSVERSIONINFOW info{};
  info.dwOSVersionInfoSize = sizeof info;
  if (!get_version || get_version(&info) != 0) return std::string(kUnknown);
  std::string text = fmt::format("Windows {}.{}.{}", info.dwMajorVersion, info.dwMinorVersion, info.dwBuildNumber);
  using WineGetVersion = const char*(CDECL*)();
  using WineGetHostVersion = void(CDECL*)(const char** sysname, const char** release);
  if (const auto wine_version = procedure<WineGetVersion>(ntdll, "wine_get_version")) {
    const char* version = wine_version();
    text += fmt::format(" (wine {}", version ? version : "unknown");
    const char* sysname = nullptr;
    const char* release = nullptr;
    if (const auto host_version = procedure<WineGetHostVersion>(ntdll, "wine_get_host_version"))
      host_version(&sysname, &release);
    if (sysname && release) text += fmt::format(" on {} {}", sysname, release);
    text += ")";
  }
  return text;
}

// "QueryPerformanceCounter (10 MHz)".  QueryPerformanceFrequency (MSDN:
// "QueryPerformanceFrequency function") never fails on Windows XP and later.
std::string clocksource() {
  LARGE_INTEGER frequency{};
  ::QueryPerformanceFrequency(&frequency);
  return fmt::format("QueryPerformanceCounter ({:g} MHz)", static_cast<double>(frequency.QuadPart) / 1e6);
}

// The active power scheme, Windows' counterpart of the frequency governor:
// "High performance (power scheme)".  powrprof.dll is loaded here rather than
// linked: nothing else needs it, and a missing entry point is "unknown".
// PowerGetActiveScheme, PowerReadFriendlyName (MSDN pages of those names).
std::string power_scheme() {
  const HMODULE powrprof = ::LoadLibraryExW(L"powrprof.dll", nullptr, LOAD_LIBRARY_SEARCH_SYSTEM32);
  if (!powrprof) return std::string(kUnknown);
  using GetActiveScheme = DWORD(WINAPI*)(HKEY, GUID**);
  using ReadFriendlyName = DWORD(WINAPI*)(HKEY, const GUID*, const GUID*, const GUID*, UCHAR*, DWORD*);
  const auto get_active = procedure<GetActiveScheme>(powrprof, "PowerGetActiveScheme");
  const auto read_name = procedure<ReadFriendlyName>(powrprof, "PowerReadFriendlyName");
  GUID* scheme = nullptr;
  std::string name;
  if (get_active && get_active(nullptr, &scheme) == ERROR_SUCCESS && scheme) {
    // The built-in schemes by GUID: their friendly names are translated.
    constexpr std::pair<GUID, std::string_view> kBuiltIn[] = {
        {{0x8c5e7fda, 0xe8bf, 0x4a96, {0x9a, 0x85, 0xa6, 0xe2, 0x3a, 0x8c, 0x63, 0x5c}}, "High performance"},
        {{0x381b4222, 0xf694, 0x41f0, {0x96, 0x85, 0xff, 0x5b, 0xb2, 0x60, 0xdf, 0x2e}}, "Balanced"},
        {{0xa1841308, 0x3541, 0x4fab, {0xbc, 0x81, 0xf7, 0x15, 0x56, 0xf2, 0x0b, 0x4a}}, "Power saver"},
        {{0xe9a42b02, 0xd5df, 0x448d, {0xaa, 0x00, 0x03, 0xf1, 0x47, 0x49, 0xeb, 0x61}}, "Ultimate Performance"},
    };
    for (const auto& [guid, builtin] : kBuiltIn)
      if (::IsEqualGUID(guid, *scheme)) name = builtin;
    DWORD size = 0;
    if (name.empty() && read_name && read_name(nullptr, scheme, nullptr, nullptr, nullptr, &size) == ERROR_SUCCESS &&
        size > sizeof(wchar_t)) {
      std::wstring wide(size / sizeof(wchar_t), L'\0');
      if (read_name(nullptr, scheme, nullptr, nullptr, reinterpret_cast<UCHAR*>(wide.data()), &size) == ERROR_SUCCESS)
        name = win32::narrow(wide.c_str());
    }
    ::LocalFree(scheme);
  }
  ::FreeLibrary(powrprof);
  return name.empty() ? std::string(kUnknown) : fmt::format("{} (power scheme)", name);
}

// "on" when a core runs more than one logical processor: SMT present and
// enabled (Windows does not say "present but off", which Linux's "off" also
// covers).
std::string smt() {
  const Topology topology = Topology::read();
  if (topology.cpus().empty()) return std::string(kUnknown);
  for (const CpuTopology& t : topology.cpus()) {
    const bool shared = t.core && std::ranges::any_of(topology.cpus(), [&t](const CpuTopology& other) {
                          return other.cpu != t.cpu && other.core == t.core;
                        });
    if (shared) return "on";
  }
  return "off";
}

}  // namespace

std::vector<std::pair<std::string, std::string>> machine_fingerprint(const std::filesystem::path&) {
  return {
      {"cpu_model", detail::cpuid_brand().value_or(std::string(kUnknown))},
      {"kernel", kernel()},
      {"clocksource", clocksource()},
      {"governor", power_scheme()},
      {"smt", smt()},
      {"isolcpus", "none"},         // Windows has no isolated CPUs to read
      {"mitigations", std::string(kUnknown)},  // not read on Windows
      {"virtualization", detail::cpuid_hypervisor().value_or(std::string(kUnknown))},
      {"compiler", detail::compiler_name()},
      // What moves a floor on Linux; not read on Windows.
      {"microcode", std::string(kUnknown)},
      {"bios", std::string(kUnknown)},
      {"preemption", std::string(kUnknown)},
      {"cpuidle", std::string(kUnknown)},
      {"transparent_hugepages", std::string(kUnknown)},
      {"sched_settings", std::string(kUnknown)},
  };
}

}  // namespace ipc

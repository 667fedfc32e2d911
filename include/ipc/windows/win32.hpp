#pragma once
// <windows.h> for the Windows sources (library, ipc_bench, tests), and only
// for them: lean (no GDI, no winsock 1 that would clash with winsock2.h)
// and without the min/max macros that break std::min.
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include <string>
#include <string_view>

namespace ipc::win32 {

// UTF-8 <-> UTF-16, for the W functions (MultiByteToWideChar,
// WideCharToMultiByte).  Invalid input gives U+FFFD, never an exception.
std::wstring widen(std::string_view text);
std::string narrow(std::wstring_view text);

// True under wine: its ntdll exports wine_get_version, Windows' does not.
// What wine does not emulate is then left out or flagged (cpu_time.hpp,
// caution.hpp, fingerprint.hpp).
[[nodiscard]] bool under_wine() noexcept;

}  // namespace ipc::win32

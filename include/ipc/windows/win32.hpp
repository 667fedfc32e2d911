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

}  // namespace ipc::win32

#pragma once
// Win32 failures as ipc::Error, the Windows counterpart of throw_errno.
#include <string>

#include "ipc/error.hpp"

namespace ipc {

// The system's text for a Win32 error code (FormatMessageW, as UTF-8, without
// the trailing period and line break), e.g. "The pipe has been ended".
[[nodiscard]] std::string win32_message(unsigned long code);

// Throws Error("<what>: <win32_message(GetLastError())>").
[[noreturn]] void throw_last_error(const std::string& what);

// Throws Error("<what>: <win32_message(WSAGetLastError())>"), for Winsock.
[[noreturn]] void throw_socket_error(const std::string& what);

}  // namespace ipc

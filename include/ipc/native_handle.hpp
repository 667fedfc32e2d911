#pragma once
// NativeHandle: how the system names an open pipe or file: a descriptor on
// Linux, a HANDLE on Windows (as void*, without <windows.h>); UniqueNative
// owns one and closes it (close(2), CloseHandle).
#ifdef _WIN32
#include "ipc/windows/unique_handle.hpp"
#else
#include "ipc/unique_fd.hpp"
#endif

namespace ipc {

#ifdef _WIN32
using NativeHandle = void*;
using UniqueNative = UniqueHandle;
#else
using NativeHandle = int;
using UniqueNative = UniqueFd;
#endif

}  // namespace ipc

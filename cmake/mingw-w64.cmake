# CMake toolchain file: cross-compiles ipc_bench for 64-bit Windows 10 with
# Debian's mingw-w64 (posix threads variant) and runs what it builds under
# wine through scripts/wine_run.
#
#   cmake -S . -B build/test-windows -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64.cmake
#
# scripts/lib/windows.sh installs the cross packages and builds the
# dependencies' prefix (Google Benchmark, GoogleTest and GoogleMock built with
# this file; fmt, CLI11 and nlohmann-json headers with small CMake packages)
# into build/windows-deps/prefix; windows_tests there configures, builds and
# runs ctest with this file.
#
# What it sets up:
# - x86_64-w64-mingw32-gcc-posix / g++-posix (std::thread, std::mutex),
#   targeting the Windows 10 API: _WIN32_WINNT and WINVER are 0x0A00 on every
#   compile line (do not #define them again in code with another spelling:
#   -Werror makes the redefinition an error);
# - executables linked with -static: libgcc, libstdc++ and winpthread are in
#   the .exe, which needs no DLL beside it;
# - find_package/find_library/find_path look only in the deps prefix and in
#   mingw-w64's own sysroot, never in the Linux /usr (programs: host only);
# - CMAKE_CROSSCOMPILING_EMULATOR = scripts/wine_run, so that ctest, try_run
#   and gtest_discover_tests run the .exe files under wine.
#
# The prefix defaults to build/windows-deps/prefix of the repository that
# holds this file; IPC_BENCH_WINDOWS_PREFIX (cache variable or environment)
# names another one.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_VERSION 10.0)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(_ipc_triple x86_64-w64-mingw32)
find_program(CMAKE_C_COMPILER NAMES ${_ipc_triple}-gcc-posix REQUIRED)
find_program(CMAKE_CXX_COMPILER NAMES ${_ipc_triple}-g++-posix REQUIRED)
find_program(CMAKE_RC_COMPILER NAMES ${_ipc_triple}-windres)

# Windows 10 API, everywhere (try_compile checks included).
set(CMAKE_C_FLAGS_INIT "-D_WIN32_WINNT=0x0A00 -DWINVER=0x0A00")
set(CMAKE_CXX_FLAGS_INIT "-D_WIN32_WINNT=0x0A00 -DWINVER=0x0A00")
# Self-contained executables: no libgcc_s_seh-1.dll, libstdc++-6.dll or
# libwinpthread-1.dll to find at run time.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static-libgcc -static-libstdc++")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-static-libgcc -static-libstdc++")

# The deps prefix.  try_compile projects read this file again without the
# main project's cache: pass the variable on to them.
if(NOT IPC_BENCH_WINDOWS_PREFIX)
  if(DEFINED ENV{IPC_BENCH_WINDOWS_PREFIX} AND NOT "$ENV{IPC_BENCH_WINDOWS_PREFIX}" STREQUAL "")
    set(IPC_BENCH_WINDOWS_PREFIX "$ENV{IPC_BENCH_WINDOWS_PREFIX}")
  else()
    get_filename_component(IPC_BENCH_WINDOWS_PREFIX "${CMAKE_CURRENT_LIST_DIR}/../build/windows-deps/prefix" ABSOLUTE)
  endif()
endif()
set(IPC_BENCH_WINDOWS_PREFIX "${IPC_BENCH_WINDOWS_PREFIX}" CACHE PATH
    "Prefix with the Windows builds of the dependencies (scripts/lib/windows.sh)")
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES IPC_BENCH_WINDOWS_PREFIX)

set(CMAKE_FIND_ROOT_PATH "${IPC_BENCH_WINDOWS_PREFIX}" /usr/${_ipc_triple})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# Not even a package registry entry or a -DCMAKE_PREFIX_PATH=/usr may bring
# the Linux builds back.
set(CMAKE_FIND_USE_PACKAGE_REGISTRY OFF)
set(CMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY OFF)

# ctest, try_run and gtest_discover_tests run the .exe files through wine.
get_filename_component(CMAKE_CROSSCOMPILING_EMULATOR "${CMAKE_CURRENT_LIST_DIR}/../scripts/wine_run" ABSOLUTE)

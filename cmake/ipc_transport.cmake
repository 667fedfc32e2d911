# ipc_transport(<folder>
#   [PLATFORMS Linux|Windows ...]  where the transport exists (default: Linux)
#   [SOURCES file ...]             built on every platform it exists on
#   [LINUX file ...]               built on Linux only (its linux.cpp)
#   [WINDOWS file ...]             built on Windows only (its windows.cpp)
#   [INCLUDES dir ...]             a library's headers, for ipc_core
#   [LIBRARIES lib ...]            a library, linked into ipc_core
#   [CONSUMERS executable ...])    its consumers: consumers/<executable>.cpp,
#                                  consumers/windows/<executable>.cpp where that exists
#
# Declares one transport, from its own folder (src/ipc/transport/<folder>/):
# its sources go into ipc_core, and its consumers into the list that
# consumers/CMakeLists.txt builds and ipc_bench depends on.  The registry
# line that names it is in src/ipc/linux/transports.cpp or
# src/ipc/windows/transports.cpp.
function(ipc_transport folder)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "PLATFORMS;SOURCES;LINUX;WINDOWS;INCLUDES;LIBRARIES;CONSUMERS")
  if(NOT arg_PLATFORMS)
    set(arg_PLATFORMS Linux)
  endif()
  if(WIN32)
    set(platform Windows)
  else()
    set(platform Linux)
  endif()
  if(NOT platform IN_LIST arg_PLATFORMS)
    return()
  endif()
  string(TOUPPER ${platform} upper)
  set(sources ${arg_SOURCES} ${arg_${upper}})
  if(sources)
    target_sources(ipc_core PRIVATE ${sources})
  endif()
  if(arg_INCLUDES)
    target_include_directories(ipc_core PRIVATE ${arg_INCLUDES})
  endif()
  if(arg_LIBRARIES)
    target_link_libraries(ipc_core PRIVATE ${arg_LIBRARIES})
  endif()
  set_property(GLOBAL APPEND PROPERTY IPC_BENCH_CONSUMERS ${arg_CONSUMERS})
endfunction()

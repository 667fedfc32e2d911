# ipc_transport(<folder>
#   [PLATFORMS Linux|Windows ...]  where the transport exists (default: Linux)
#   [SOURCES file ...]             built on every platform it exists on
#   [LINUX file ...]               built on Linux only (its linux.cpp)
#   [WINDOWS file ...]             built on Windows only (its windows.cpp)
#   [INCLUDES dir ...]             a library's headers, for the folder's own library
#   [LIBRARIES lib ...]            a library, linked into the folder's own library
#   [CONSUMERS executable ...])    its consumers: consumers/<executable>.cpp,
#                                  consumers/windows/<executable>.cpp where that exists
#
# Declares one transport, from its own folder (src/ipc/transport/<folder>/):
# its sources go into ipc_core, and its consumers into the list that
# consumers/CMakeLists.txt builds and ipc_bench depends on.  The registry
# line that names it is in src/ipc/linux/transports.cpp or
# src/ipc/windows/transports.cpp.
#
# A transport that brings a library (INCLUDES or LIBRARIES) is built into a
# library of its own, ipc_transport_<folder>, so that its middleware reaches
# only what links that library: ipc_transports (the registry's users:
# ipc_bench, the tests) and its own consumers, never the other consumers.
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
  set_property(GLOBAL APPEND PROPERTY IPC_BENCH_CONSUMERS ${arg_CONSUMERS})
  if(NOT arg_INCLUDES AND NOT arg_LIBRARIES)
    if(sources)
      target_sources(ipc_core PRIVATE ${sources})
    endif()
    return()
  endif()
  set(library ipc_transport_${folder})
  add_library(${library} STATIC ${sources})
  # The core's own include directories (its private ones too: the platform
  # layer's headers), as if the sources were still in ipc_core.
  target_include_directories(${library} PRIVATE $<TARGET_PROPERTY:ipc_core,INCLUDE_DIRECTORIES> ${arg_INCLUDES})
  target_link_libraries(${library} PUBLIC ipc_core PRIVATE ${arg_LIBRARIES})
  target_link_libraries(ipc_transports INTERFACE ${library})
  foreach(consumer ${arg_CONSUMERS})
    set_property(GLOBAL APPEND PROPERTY IPC_BENCH_LIBRARIES_${consumer} ${library})
  endforeach()
endfunction()

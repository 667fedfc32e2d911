# Sourced by scripts/test.sh, after scripts/lib/setup.sh: the Windows cross
# build, compiled with mingw-w64 (cmake/mingw-w64.cmake) and tested under
# wine (scripts/wine_run).
#   windows_packages        install what the cross build needs (root), or
#                           return 1 with windows_reason set and printed, in
#                           one line: not root, no network
#   windows_deps            build the dependencies' Windows prefix once,
#                           build/windows-deps/prefix: Google Benchmark (Debian's
#                           source, apt-get source) and GoogleTest/GoogleMock
#                           (/usr/src/googletest), static, Release; copies of
#                           the fmt, CLI11 and nlohmann-json headers with CMake
#                           packages fmt::fmt (header-only), CLI11::CLI11 and
#                           nlohmann_json::nlohmann_json.  Skipped when built
#                           already from the same versions.  Returns 1 with
#                           windows_reason when the source cannot be downloaded
#   windows_tests REPO [CTEST_ARGS...]
#                           configure REPO/build/test-windows once with the
#                           toolchain and the prefix, build it, run its ctest
#                           (the .exe files run under wine, in a private wine
#                           prefix with D: = REPO)
#   windows_stop [REPO]     end the persistent wine server of REPO's wine prefix
# In scripts/test.sh:
#   source "$(dirname "$0")/lib/windows.sh"
#   if windows_packages && windows_deps; then
#     trap 'windows_stop "$repo"' EXIT
#     windows_tests "$repo"
#   fi
#
# Checked by hand under this wine (8.0, Debian 12) with a throwaway project:
# gtest_discover_tests works in its default POST_BUILD mode (it runs the
# test program under wine while building: DISCOVERY_TIMEOUT must cover a
# first wine start, hence --prepare first); CreateProcessW with
# PROC_THREAD_ATTRIBUTE_HANDLE_LIST inherits only the listed handles; a job
# with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE kills its processes when its last
# handle goes (CloseHandle, exit, TerminateProcess, kill -9 of the wine
# process); Set{Thread,Process}AffinityMask reach sched_setaffinity;
# GetLogicalProcessorInformationEx(RelationAll) describes the real CPUs and
# caches; NtSuspendProcess and SuspendThread freeze a child; ntdll exports
# wine_get_version; Winsock TCP and UDP on 127.0.0.1 work, AF_UNIX does not
# (WSAEAFNOSUPPORT); a named file mapping's name goes with its last handle
# (OpenFileMapping: ERROR_FILE_NOT_FOUND), even while a view is still mapped.
# shellcheck shell=bash
set -euo pipefail

# build_progress, which scripts/test.sh has from setup.sh already.
# shellcheck source=scripts/lib/setup.sh source-path=SCRIPTDIR/../.. disable=SC1091
declare -F build_progress >/dev/null || source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

windows_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
windows_deps_dir="$windows_repo/build/windows-deps"
windows_prefix="$windows_deps_dir/prefix"
windows_toolchain="$windows_repo/cmake/mingw-w64.cmake"
windows_wine_run="$windows_repo/scripts/wine_run"
# The cross compiler and wine; dpkg-dev for apt-get source (Google Benchmark);
# the sources and headers the prefix is made of.
windows_package_list=(g++-mingw-w64-x86-64-posix wine64 dpkg-dev cmake make googletest libfmt-dev libcli11-dev
  nlohmann-json3-dev)
# The tests' build is what a user builds.  (-O0 is no faster here, 140 s
# against 109 s for -O1 on 2 CPUs: mingw's header-only fmt makes large
# unoptimised objects.)
windows_build_type=(-DCMAKE_BUILD_TYPE=Release)
# Bump when the way windows_deps builds the prefix changes: it is rebuilt.
windows_deps_recipe=3
windows_reason=""

# windows_skip REASON: sets windows_reason and prints it, one line.
windows_skip() {
  windows_reason=$1
  echo "windows: $windows_reason" >&2
}

windows_die() {
  echo "windows: $*" >&2
  exit 1
}

windows_has_deb_src() {
  grep -Eqs '^[[:space:]]*(deb-src[[:space:]]|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
    /etc/apt/sources.list.d/*.sources
}

# deb-src lines for the suite this machine runs, in a file of their own
# (Debian's images ship deb lines only).
windows_add_deb_src() {
  local suite
  # shellcheck disable=SC1091
  suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  [ -n "$suite" ] || return 1
  cat >/etc/apt/sources.list.d/ipc-bench-deb-src.sources <<EOF
# Written by ipc_bench's scripts/lib/windows.sh, for apt-get source benchmark.
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
}

windows_packages() {
  local missing=() p log fetch update=0
  for p in "${windows_package_list[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] || update=1
  apt-cache showsrc --only-source benchmark 2>/dev/null | grep -q '^Version:' || update=1
  [ "$update" -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    if [ ${#missing[@]} -gt 0 ]; then
      windows_skip "missing packages, not root: sudo apt-get install -y ${missing[*]}"
    else
      windows_skip "apt knows no source package benchmark (deb-src entry, apt-get update), not root"
    fi
    return 1
  fi
  if ! windows_has_deb_src; then
    windows_add_deb_src || { windows_skip "cannot add a deb-src entry (no VERSION_CODENAME in /etc/os-release)"; return 1; }
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${#missing[@]} packages for the Windows build (180 MB to download on a fresh machine): ${missing[*]}" >&2
  fi
  log=$(mktemp)
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get update -qq >"$log" 2>&1; then
    windows_skip "apt-get update failed (no network?): $(grep -m1 -E '^(E|W|Err):' "$log" || tail -n1 "$log")"
    rm -f "$log"
    return 1
  fi
  # apt-get update may say 0 when it could fetch nothing: its first warning
  # goes with the install's error.
  fetch=$(grep -m1 -E '^(W|E|Err):' "$log" || true)
  if [ ${#missing[@]} -gt 0 ] && ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
    windows_skip "apt-get install failed (no network?): $(grep -m1 '^E:' "$log" || tail -n1 "$log")${fetch:+; apt-get update: $fetch}"
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
}

# What the prefix is built from, one line: when it changes, the prefix is
# rebuilt.
windows_deps_versions() {
  local bench fmt cli11 json
  bench=$(dpkg-query -W -f='${source:Version}' libbenchmark-dev 2>/dev/null || true)
  [ -n "$bench" ] ||
    bench=$(apt-cache showsrc --only-source benchmark 2>/dev/null | awk '/^Version:/ { print $2 }' | sort -V | tail -n1)
  fmt=$(awk '/^#define FMT_VERSION / { v = $3; printf "%d.%d.%d", v / 10000, v / 100 % 100, v % 100 }' \
    /usr/include/fmt/core.h)
  cli11=$(sed -n 's/^#define CLI11_VERSION "\(.*\)"/\1/p' /usr/include/CLI/Version.hpp)
  json=$(grep -rhE '^#define NLOHMANN_JSON_VERSION_(MAJOR|MINOR|PATCH) ' /usr/include/nlohmann |
    awk '!seen[$2]++ { v[$2] = $3 } END { print v["NLOHMANN_JSON_VERSION_MAJOR"] "." v["NLOHMANN_JSON_VERSION_MINOR"] "." v["NLOHMANN_JSON_VERSION_PATCH"] }')
  echo "recipe=$windows_deps_recipe benchmark=$bench googletest=$(dpkg-query -W -f='${Version}' googletest)" \
    "fmt=$fmt cli11=$cli11 nlohmann_json=$json" \
    "mingw=$(dpkg-query -W -f='${Version}' g++-mingw-w64-x86-64-posix)" \
    "toolchain=$(sha256sum "$windows_toolchain" | cut -c1-12)"
}

# A CMake package for a header-only library copied into the prefix:
# windows_header_package PREFIX NAME VERSION TARGET [DEFINITIONS...]
windows_header_package() {
  local prefix=$1 name=$2 version=$3 target=$4 dir definitions=""
  shift 4
  [ $# -eq 0 ] || definitions="
    INTERFACE_COMPILE_DEFINITIONS \"$*\""
  dir="$prefix/lib/cmake/$name"
  mkdir -p "$dir"
  cat >"$dir/${name}Config.cmake" <<EOF
# Written by ipc_bench's scripts/lib/windows.sh: $name $version, headers only.
if(NOT TARGET $target)
  get_filename_component(_ipc_prefix "\${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
  add_library($target INTERFACE IMPORTED)
  set_target_properties($target PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "\${_ipc_prefix}/include"$definitions)
  unset(_ipc_prefix)
endif()
EOF
  if [ "$name" = fmt ]; then
    echo 'if(NOT TARGET fmt::fmt-header-only)
  add_library(fmt::fmt-header-only INTERFACE IMPORTED)
  set_target_properties(fmt::fmt-header-only PROPERTIES INTERFACE_LINK_LIBRARIES fmt::fmt)
endif()' >>"$dir/${name}Config.cmake"
  fi
  cat >"$dir/${name}ConfigVersion.cmake" <<EOF
set(PACKAGE_VERSION "$version")
if(PACKAGE_FIND_VERSION VERSION_GREATER PACKAGE_VERSION)
  set(PACKAGE_VERSION_COMPATIBLE FALSE)
else()
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
  if(PACKAGE_FIND_VERSION VERSION_EQUAL PACKAGE_VERSION)
    set(PACKAGE_VERSION_EXACT TRUE)
  endif()
endif()
EOF
}

# Configures, builds and installs one CMake project into the prefix being
# made: windows_deps_build LABEL SOURCE STAGE [CMAKE_ARGS...].  Exits on
# failure (windows_deps is called in conditions, where set -e is off).
windows_deps_build() {
  local label=$1 source=$2 stage=$3 dir
  shift 3
  dir="$windows_deps_dir/build/$label"
  rm -rf "$dir"
  mkdir -p "$dir" || windows_die "cannot create $dir"
  if ! cmake -S "$source" -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$windows_toolchain" -DIPC_BENCH_WINDOWS_PREFIX="$stage" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$stage" -DBUILD_SHARED_LIBS=OFF "$@" \
    >"$dir/configure.log" 2>&1; then
    cat "$dir/configure.log" >&2
    windows_die "configuring $label for Windows failed"
  fi
  cmake --build "$dir" -j "$(nproc)" | build_progress "windows-deps/$label" ||
    windows_die "building $label for Windows failed"
  cmake --install "$dir" >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; windows_die "installing $label failed"; }
}

windows_deps() {
  local want have="" stage src bench upstream log pair started=$SECONDS
  local -A version
  want=$(windows_deps_versions)
  [ -f "$windows_prefix/ipc-bench-deps.txt" ] && have=$(cat "$windows_prefix/ipc-bench-deps.txt")
  [ "$have" = "$want" ] && return 0
  for pair in $want; do version[${pair%%=*}]=${pair#*=}; done
  bench=${version[benchmark]}
  [ -n "$bench" ] || { windows_skip "no version of the benchmark source package known (apt-get update?)"; return 1; }
  echo "building the Windows dependencies into build/windows-deps/prefix (once; about a minute)" >&2
  upstream=${bench#*:}
  upstream=${upstream%-*}
  src="$windows_deps_dir/src"
  mkdir -p "$src" || windows_die "cannot create $src"
  # The source stays in build/windows-deps/src: a rebuild needs no network.
  if [ ! -f "$src/benchmark_${bench#*:}.dsc" ] || [ ! -f "$src/benchmark-$upstream/CMakeLists.txt" ]; then
    log="$src/apt-get-source.log"
    rm -rf "$src/benchmark-$upstream" "$src"/benchmark_*
    if ! (cd "$src" && apt-get source -qq "benchmark=$bench") >"$log" 2>&1; then
      windows_skip "apt-get source benchmark=$bench failed (no network?): $(grep -m1 '^E:' "$log" || tail -n1 "$log")"
      return 1
    fi
  fi
  stage="$windows_deps_dir/prefix.new"
  rm -rf "$stage"
  mkdir -p "$stage/include" || windows_die "cannot create $stage"
  # GIT_VERSION: Debian's patches stop it from reading git tags (as debian/rules).
  windows_deps_build benchmark "$src/benchmark-$upstream" "$stage" -DGIT_VERSION="$upstream" \
    -DBENCHMARK_ENABLE_TESTING=OFF \
    -DBENCHMARK_ENABLE_GTEST_TESTS=OFF -DBENCHMARK_ENABLE_WERROR=OFF -DBENCHMARK_ENABLE_LTO=OFF \
    -DBENCHMARK_INSTALL_DOCS=OFF -DBENCHMARK_ENABLE_INSTALL=ON
  # MinGW: GoogleTest's own threading on Win32 (its CMake would not use
  # pthreads there either); library and tests then agree on GTEST_HAS_PTHREAD.
  windows_deps_build googletest /usr/src/googletest "$stage" -DINSTALL_GTEST=ON -DBUILD_GMOCK=ON \
    -Dgtest_disable_pthreads=ON
  # Copies, not links: the prefix is the whole include path of the cross
  # build, and /usr/include stays out of it.
  cp -R /usr/include/fmt /usr/include/CLI /usr/include/nlohmann "$stage/include/" ||
    windows_die "cannot copy the fmt, CLI11 and nlohmann-json headers"
  windows_header_package "$stage" fmt "${version[fmt]}" fmt::fmt FMT_HEADER_ONLY=1
  windows_header_package "$stage" CLI11 "${version[cli11]}" CLI11::CLI11
  windows_header_package "$stage" nlohmann_json "${version[nlohmann_json]}" nlohmann_json::nlohmann_json
  echo "$want" >"$stage/ipc-bench-deps.txt"
  rm -rf "$windows_prefix" "$windows_deps_dir/build"
  mv "$stage" "$windows_prefix" || windows_die "cannot move $stage to $windows_prefix"
  echo "  built the Windows dependencies in $((SECONDS - started)) s" >&2
}

# windows_tests REPO [CTEST_ARGS...]: configures (once), builds, runs ctest.
# With IPC_BENCH_LINUX_BINARY (the Linux ipc_bench) in the environment, the
# tree also checks that both give the same names (tests/windows/names_test.py).
windows_tests() {
  local repo=$1 dir label
  shift
  dir="$repo/build/test-windows"
  label=${dir#"$repo"/}
  windows_deps || return 1
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    echo "configuring $label (cross, mingw-w64; first run: the build takes a few minutes)" >&2
    mkdir -p "$dir"
    if ! cmake -S "$repo" -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$windows_toolchain" \
      -DIPC_BENCH_WINDOWS_PREFIX="$windows_prefix" "${windows_build_type[@]}" -DBUILD_TESTING=ON \
      -DIPC_BENCH_LINUX_BINARY="${IPC_BENCH_LINUX_BINARY:-}" \
      -DIPC_BENCH_WERROR=ON >"$dir/configure.log" 2>&1; then
      cat "$dir/configure.log" >&2
      windows_die "configuring $label failed"
    fi
  fi
  # The wine prefix is REPO/build/windows-deps/wineprefix, with D: = REPO,
  # which holds the build tree.  Made before the build: gtest_discover_tests
  # runs the test programs under wine while building.
  [ -f "$repo/build/windows-deps/wineprefix/.ipc-bench-ready" ] ||
    echo "making the wine prefix build/windows-deps/wineprefix (about 10 s, once)" >&2
  IPC_BENCH_WINE_ROOT="$repo" "$windows_wine_run" --prepare || windows_die "cannot prepare the wine prefix"
  IPC_BENCH_WINE_ROOT="$repo" cmake --build "$dir" -j "$(nproc)" | build_progress "$label" ||
    windows_die "building $label failed"
  IPC_BENCH_WINE_ROOT="$repo" ctest --test-dir "$dir" -j "$(($(nproc) * 2))" --output-on-failure "$@"
}

# windows_stop [REPO]: ends REPO's wine server and every program still
# running in its wine prefix.
windows_stop() {
  IPC_BENCH_WINE_ROOT="${1:-$windows_repo}" "$windows_wine_run" --stop
}

# Sourced by scripts/bench.sh and scripts/test.sh: installs the Debian
# packages the build needs, then configures and builds one build tree.
#   ensure_packages [PKG...]   apt-get install what is missing of packages and PKG (root), or say how
#   build_tree DIR [ARGS...] [-- TARGETS...]
#                              configure DIR once (extra cmake ARGS), then build
#                              everything or only TARGETS
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

packages=(cmake g++ make git libbenchmark-dev libfmt-dev libcli11-dev libgtest-dev libgmock-dev nlohmann-json3-dev
  libzmq3-dev)
# What only scripts/test.sh needs: compare.py, plot.py, the Python consumer
# and their tests, clang with libFuzzer for the fuzz targets, and ip for the
# network-namespace test; bench.sh does not ask for them.
test_packages=(python3 python3-matplotlib clang libclang-rt-14-dev iproute2)

ensure_packages() {
  local missing=() p
  for p in "${packages[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages; run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
}

build_tree() {
  local dir=$1 args=() targets=()
  shift
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do args+=("$1"); shift; done
  [ $# -gt 0 ] && shift && targets=(--target "$@")
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    cmake -S "$repo" -B "$dir" -DCMAKE_BUILD_TYPE=Release "${args[@]}" >/dev/null
  fi
  cmake --build "$dir" -j "$(nproc)" "${targets[@]}"
}

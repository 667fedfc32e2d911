# Sourced by scripts/bench.sh and scripts/test.sh: installs the Debian
# packages the build needs, then configures and builds one build tree.
#   ensure_packages [PKG...]   apt-get install what is missing of packages and PKG (root), or say how
#   build_tree DIR [ARGS...]   configure DIR once (extra cmake ARGS), then build
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

packages=(cmake g++ make git libbenchmark-dev libfmt-dev libcli11-dev libgtest-dev libgmock-dev nlohmann-json3-dev)
# scripts/compare.py and scripts/plot.py, and their tests: test.sh asks for
# these; bench.sh does not need them.
script_packages=(python3 python3-matplotlib)

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
  local dir=$1
  shift
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    cmake -S "$repo" -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
  fi
  cmake --build "$dir" -j "$(nproc)"
}

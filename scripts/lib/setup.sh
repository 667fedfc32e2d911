# Sourced by scripts/bench.sh and scripts/test.sh: installs the Debian
# packages the build needs, then configures and builds one build tree.
# The one place the package list and the release tree are written down:
# tests/scripts/docs_test.py holds docs/ci.md to them.
#   ensure_packages [PKG...]   apt-get install what is missing of packages and PKG (root), or say how
#   ensure_tracefs             mount tracefs where it is not (root), for the system-call counter
#   build_tree DIR [ARGS...] [-- TARGETS...]
#                              configure DIR once (extra cmake ARGS), then build
#                              everything or only TARGETS; progress on stderr
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Where scripts/bench.sh builds and what README and docs/ci.md run.
release_tree="$repo/build/release"

# What building ipc_bench, its consumers and the reference loops needs, and
# dbus-daemon, which the dbus transport starts at run time.
packages=(cmake g++ make git libbenchmark-dev libfmt-dev libcli11-dev libzmq3-dev libnng-dev liburing-dev
  libsystemd-dev dbus-daemon)
# Boost.Interprocess (header-only) for boost_mq and boost_cond; gRPC, protobuf
# and their code generators for grpc_unix and grpc_tcp.  Without them the
# build still succeeds and those transports are refused in one line.
packages+=(libboost-dev libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc)
# What only scripts/test.sh needs: GoogleTest and nlohmann-json for the test
# suite; compare.py, plot.py, the Python consumer and their tests; clang
# with libFuzzer for the fuzz targets, and ip for the network-namespace
# test.  bench.sh does not ask for them.
test_packages=(libgtest-dev libgmock-dev nlohmann-json3-dev python3 python3-matplotlib clang libclang-rt-14-dev
  iproute2)

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
  echo "installing ${#missing[@]} packages with apt-get (a few minutes on a fresh machine): ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
}

# ipc_bench counts system calls with the raw_syscalls:sys_enter tracepoint,
# whose id is in tracefs; a fresh machine may not have it mounted (ipc_bench
# then counts the read/write family only and says so).  The tests of the
# system-call counts want the real counter: as root, mount it.
ensure_tracefs() {
  [ -e /sys/kernel/tracing/events ] && return 0
  [ "$(id -u)" -eq 0 ] && [ -d /sys/kernel/tracing ] || return 0
  if mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null; then
    echo "mounted tracefs at /sys/kernel/tracing (ipc_bench's system-call counter reads it)" >&2
  else
    echo "could not mount tracefs at /sys/kernel/tracing: the system-call counts fall back to the read/write family" >&2
  fi
}

# Filters `cmake --build` (Makefiles) into progress on stderr: on a terminal
# one line rewritten in place, elsewhere (CI logs) a line per tenth of the
# way.  Compiler messages pass through.  Silent when nothing is rebuilt, so
# that a re-run stays quiet.
build_progress() {
  local label=$1 tty=0
  [ -t 2 ] && tty=1
  awk -v label="$label" -v tty="$tty" '
    function clear() { if (tty && pending) { printf "\r\033[K" > "/dev/stderr"; pending = 0 } }
    /^\[ *[0-9]+%\] (Building|Linking)/ {
      pct = $0; sub(/^\[ */, "", pct); sub(/%.*/, "", pct); pct += 0
      what = $NF; sub(/.*\//, "", what); sub(/\.o$/, "", what)
      if (tty) { printf "\r\033[K  building %s: %3d%% %s", label, pct, what > "/dev/stderr"; pending = 1 }
      else if (!shown || pct >= step) { printf "  building %s: %d%%\n", label, pct > "/dev/stderr"; step = int(pct / 10) * 10 + 10 }
      shown = 1
      next
    }
    /^\[ *[0-9]+%\] / || /^Scanning dependencies / || /^Consolidate compiler / || /^-- / { next }
    { clear(); print > "/dev/stderr" }
    END {
      clear()
      if (shown) printf "  built %s in %d s\n", label, systime() - start_time > "/dev/stderr"
    }
    BEGIN { start_time = systime() }'
}

build_tree() {
  local dir=$1 args=() targets=() label
  shift
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do args+=("$1"); shift; done
  [ $# -gt 0 ] && shift && targets=(--target "$@")
  label=${dir#"$repo"/}
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    echo "configuring $label (first run: the build takes a few minutes)" >&2
    mkdir -p "$dir"
    if ! cmake -S "$repo" -B "$dir" -DCMAKE_BUILD_TYPE=Release "${args[@]}" >"$dir/configure.log" 2>&1; then
      cat "$dir/configure.log" >&2
      exit 1
    fi
  fi
  cmake --build "$dir" -j "$(nproc)" "${targets[@]}" | build_progress "$label"
}

#!/bin/sh
# The tests that run ipc_bench for real, on a machine that lacks what the
# development VM has: one allowed CPU (taskset), no cache information in
# sysfs, no usable TSC (constant_tsc and nonstop_tsc gone from
# /proc/cpuinfo), no mqueue file system at /dev/mqueue.  The missing files
# are hidden in a private mount namespace, which needs root; without it only
# one CPU is simulated, and the script says so.
# Usage (ctest): bare_machine_test.sh IPC_TESTS IPC_BENCH PYTHON3 TESTS_DIR
set -eu
if [ "${1:-}" = --hidden ]; then
  shift
  mount --make-rprivate /
  for cache in /sys/devices/system/cpu/cpu*/cache; do
    if [ -d "$cache" ]; then mount -t tmpfs none "$cache"; fi
  done
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  sed '/^flags/ s/$/ /; /^flags/ s/ constant_tsc / /; /^flags/ s/ nonstop_tsc / /' /proc/cpuinfo > "$scratch/cpuinfo"
  mount --bind "$scratch/cpuinfo" /proc/cpuinfo
  if mountpoint -q /dev/mqueue; then umount /dev/mqueue; fi
  echo "bare_machine: one CPU, no caches in sysfs, no constant_tsc, no /dev/mqueue"
elif [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
  exec unshare -m "$0" --hidden "$@"
else
  echo "bare_machine: not root (or no mount namespace): one CPU only; caches, TSC and /dev/mqueue left as they are"
fi
ipc_tests=$1 ipc_bench=$2 python3=$3 tests_dir=$4
taskset -c 0 "$ipc_tests" --gtest_brief=1 --gtest_filter='Cli.*:Hardening.*:Registry/StopSignalTest.*/pipe_*'
for script in tracker_json plot compare; do
  taskset -c 0 "$python3" "$tests_dir/${script}_test.py" --ipc-bench "$ipc_bench"
done

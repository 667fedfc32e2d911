#!/usr/bin/env bash
# scripts/test.sh          installs what is missing, builds the Release tree
#                          and runs its tests, then a smoke benchmark through
#                          scripts/compare.py's gate (README: the quick start)
# scripts/test.sh --full   the same, then the ASan+UBSan tree's tests, the
#                          fuzz targets, the ThreadSanitizer test and the
#                          Windows port under wine (what .ci/run runs)
#
# Every stage runs even when an earlier one failed, so that one failure does
# not hide the next; a line per stage at the end says passed, failed or
# skipped (and why), and how long it took.  Exit status: 0 when no stage
# failed, 1 otherwise, 2 for a bad argument.  What each takes (time, disk,
# downloads) is in README.md, "Tests".
source "$(dirname "$0")/lib/setup.sh"

full=0
case "${1:-}" in
  "") ;;
  --full) full=1 ;;
  *) echo "usage: scripts/test.sh [--full]" >&2; exit 2 ;;
esac

ensure_packages "${test_packages[@]}"
ensure_tracefs

# Twice the CPUs: many tests mostly wait (handshakes, timeouts, children).
jobs=$(( $(nproc) * 2 ))
# Sanitizer and fuzz builds: -O0 -g1 compiles in half the time of -O1
# (tests/cpp/cli_test.cpp under ASan: 11 s against 19 s) and still gives
# sanitizer reports with function names and lines; the tests there check
# behaviour, not speed.
quick=(-DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O0 -g1")

source "$repo/scripts/lib/stages.sh"

release() {
  build_tree "$repo/build/test-release" -DBUILD_TESTING=ON -DIPC_BENCH_WERROR=ON
  ctest --test-dir "$repo/build/test-release" -j "$jobs" --output-on-failure
}

# The CI gate end to end on a real run: identical results must pass it.
smoke() {
  local bench=$repo/build/test-release/bin/ipc_bench smoke=$repo/build/test-release/smoke.json
  [ -x "$bench" ] || { echo "no $bench: the release stage did not build it" >&2; return 1; }
  "$bench" -t pipe,shm_spin -n 2000 --json "$smoke" >/dev/null
  python3 "$repo/scripts/compare.py" --threshold 20 "$smoke" "$smoke"
}

asan() {
  build_tree "$repo/build/test-asan" -DBUILD_TESTING=ON -DIPC_BENCH_WERROR=ON -DIPC_BENCH_SANITIZE=ON "${quick[@]}"
  # The Python scripts' tests and bare_machine (a rerun of other tests on a
  # simulated machine) exercise no C++ the other tests do not: they run in
  # the Release tree only.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    LSAN_OPTIONS="suppressions=$repo/tests/support/lsan.supp" \
    ctest --test-dir "$repo/build/test-asan" -j "$jobs" --output-on-failure -E '^scripts\.|^bare_machine$'
}

fuzz() {
  build_tree "$repo/build/test-fuzz" -DCMAKE_CXX_COMPILER=clang++ -DIPC_BENCH_FUZZ=ON "${quick[@]}" -Dfuzz_seconds=10 \
    -- fuzz_options fuzz_pipe_consumer
  ctest --test-dir "$repo/build/test-fuzz" -L fuzz --output-on-failure
}

tsan() {
  build_tree "$repo/build/test-tsan" -DIPC_BENCH_TSAN=ON "${quick[@]}" -- shm_channel_tsan_test
  ctest --test-dir "$repo/build/test-tsan" -L tsan --output-on-failure
}

# The Windows port: cross-compiled with mingw-w64 and tested under wine
# (README, "On Windows").  Where the cross tools cannot be installed (not
# root, no network), windows_packages says why and the stage is skipped.
windows() {
  source "$repo/scripts/lib/windows.sh"
  windows_packages || skip "$windows_reason"
  trap 'windows_stop "$repo"' EXIT
  # The Release tree's ipc_bench: the Windows names are checked against its.
  # A dependency that cannot be fetched (no network) is a skip, said why.
  IPC_BENCH_LINUX_BINARY="$repo/build/test-release/bin/ipc_bench" windows_tests "$repo" ||
    { [ -n "$windows_reason" ] && skip "$windows_reason"; exit 1; }
}

stage release release
stage smoke smoke
if [ $full -eq 1 ]; then
  stage asan+ubsan asan
  stage fuzz fuzz
  stage tsan tsan
  stage windows windows
fi

stages_summary

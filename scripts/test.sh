#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite through
# ctest twice: a Release build, then an AddressSanitizer +
# UndefinedBehaviorSanitizer build.  Between the two, a short smoke benchmark
# whose JSON goes through scripts/compare.py's gate against itself.  Last, a
# bounded libFuzzer run of each fuzz target (clang), which also replays every
# input that ever crashed one, and the shared-memory channel under
# ThreadSanitizer.  Then the Windows build, cross-compiled, under wine.
source "$(dirname "$0")/lib/setup.sh"
ensure_packages "${test_packages[@]}"

# Twice the CPUs: many tests mostly wait (handshakes, timeouts, children).
jobs=$(( $(nproc) * 2 ))
# Sanitizer and fuzz builds: -O0 -g1 compiles in half the time of -O1
# (tests/cpp/cli_test.cpp under ASan: 11 s against 19 s) and still gives
# sanitizer reports with function names and lines; the tests there check
# behaviour, not speed.
quick=(-DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O0 -g1")
build_tree "$repo/build/test-release" -DBUILD_TESTING=ON -DIPC_BENCH_WERROR=ON
ctest --test-dir "$repo/build/test-release" -j "$jobs" --output-on-failure

# The CI gate end to end on a real run: identical results must pass it.
smoke="$repo/build/test-release/smoke.json"
"$repo/build/test-release/bin/ipc_bench" -t pipe,shm_spin -n 2000 --json "$smoke" >/dev/null
python3 "$repo/scripts/compare.py" --threshold 20 "$smoke" "$smoke"

build_tree "$repo/build/test-asan" -DBUILD_TESTING=ON -DIPC_BENCH_WERROR=ON -DIPC_BENCH_SANITIZE=ON "${quick[@]}"
# The Python scripts' tests and bare_machine (a rerun of other tests on a
# simulated machine) exercise no C++ the other tests do not: they run in
# the Release tree only, which keeps the whole command within CI's 15 minutes.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS="suppressions=$repo/tests/support/lsan.supp" \
  ctest --test-dir "$repo/build/test-asan" -j "$jobs" --output-on-failure -E '^scripts\.|^bare_machine$'

build_tree "$repo/build/test-fuzz" -DCMAKE_CXX_COMPILER=clang++ -DIPC_BENCH_FUZZ=ON "${quick[@]}" -Dfuzz_seconds=10 \
  -- fuzz_options fuzz_pipe_consumer
ctest --test-dir "$repo/build/test-fuzz" -L fuzz --output-on-failure

build_tree "$repo/build/test-tsan" -DIPC_BENCH_TSAN=ON "${quick[@]}" -- shm_channel_tsan_test
ctest --test-dir "$repo/build/test-tsan" -L tsan --output-on-failure

# The Windows port: cross-compiled with mingw-w64 and tested under wine
# (README, "On Windows").  Where the cross tools cannot be installed
# (not root, no network), windows_packages prints why on one line and the
# Windows part is skipped.
source "$repo/scripts/lib/windows.sh"
if windows_packages; then
  trap 'windows_stop "$repo"' EXIT
  # The Release tree's ipc_bench: the Windows names are checked against its.
  IPC_BENCH_LINUX_BINARY="$repo/build/test-release/bin/ipc_bench" windows_tests "$repo"
fi

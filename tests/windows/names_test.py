#!/usr/bin/env python3
"""ipc_bench.exe (under wine) and the Linux ipc_bench, run with the same
options, give the same benchmark names and the same JSON keys, and
compare.py and plot.py take one file of each.

Usage: names_test.py --linux PATH --windows PATH.exe --wine-run PATH --scripts DIR --work DIR
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

COMMON = "pipe,tcp_nodelay,tcp_nagle,udp,shm_spin,shm_yield"


def run(argv):
    result = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        sys.exit(f"{' '.join(argv)} exited {result.returncode}:\n{result.stderr}")
    return result


def main():
    parser = argparse.ArgumentParser()
    for option in ("--linux", "--windows", "--wine-run", "--scripts", "--work"):
        parser.add_argument(option, required=True)
    args = parser.parse_args()
    options = ["-t", COMMON, "-p", "4,64", "--placement", "none", "-n", "300"]
    # Inside the repository, which wine_run maps to D:, so that both
    # programs can write there.
    with tempfile.TemporaryDirectory(dir=args.work) as work:
        linux_json = os.path.join(work, "linux.json")
        windows_json = os.path.join(work, "windows.json")
        run([args.linux, *options, "--json", linux_json])
        run([args.wine_run, args.windows, *options, f"--json={windows_json}"])
        with open(linux_json) as f:
            linux = json.load(f)
        with open(windows_json) as f:
            windows = json.load(f)

        failures = []
        names = lambda doc: sorted(b["name"] for b in doc["benchmarks"])
        if names(linux) != names(windows):
            failures.append(f"names differ:\n  linux   {names(linux)}\n  windows {names(windows)}")
        # Google Benchmark's own cpu_scaling_enabled comes from Linux's cpufreq
        # only; every key of ipc_bench's is on both.
        missing = sorted(set(linux["context"]) - set(windows["context"]) - {"cpu_scaling_enabled"})
        if missing:
            failures.append(f"context keys missing on Windows: {missing}")
        # Under wine the consumer's CPU time is not read (benches/cpu_time.hpp),
        # and Windows counts none of the explanation counters
        # (include/ipc/side_counters.hpp).
        explained = {k for b in linux["benchmarks"] for k in b if k.startswith(("producer_", "consumer_"))}
        linux_keys = {k for b in linux["benchmarks"] for k in b} - {"consumer_cpu_ns"} - (explained - {"producer_cpu_ns"})
        for b in windows["benchmarks"]:
            missing = sorted(linux_keys - set(b))
            if missing:
                failures.append(f"{b['name']} lacks {missing}")
        if "wine" not in windows["context"].get("kernel", ""):
            failures.append(f"the fingerprint does not say wine: {windows['context'].get('kernel')}")

        compared = subprocess.run([sys.executable, os.path.join(args.scripts, "compare.py"), linux_json, windows_json],
                                  capture_output=True, text=True, timeout=120)
        if compared.returncode != 0 or "shm_spin/payload:4/placement:none" not in compared.stdout:
            failures.append(f"compare.py failed ({compared.returncode}):\n{compared.stdout}{compared.stderr}")
        plot = os.path.join(work, "both.png")
        plotted = subprocess.run([sys.executable, os.path.join(args.scripts, "plot.py"), linux_json, windows_json,
                                  "-o", plot], capture_output=True, text=True, timeout=120)
        if plotted.returncode != 0 or not os.path.getsize(plot):
            failures.append(f"plot.py failed ({plotted.returncode}):\n{plotted.stderr}")

    if failures:
        sys.exit("\n".join(failures))
    print(f"same names and keys: {len(names(linux))} results; compare.py and plot.py take both")


if __name__ == "__main__":
    main()

"""Shared by the tests of scripts/*.py: where things are, running them, JSON files.

A test file is run by ctest as `python3 tests/scripts/X_test.py --ipc-bench PATH`;
without --ipc-bench it looks for build/bin/ipc_bench.
"""
import copy
import json
import os
import subprocess
import sys
import tempfile
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS = os.path.join(REPO, "scripts")


def take_ipc_bench_argument():
    """Removes --ipc-bench PATH from sys.argv (unittest must not see it); returns PATH."""
    path = os.path.join(REPO, "build", "bin", "ipc_bench")
    if "--ipc-bench" in sys.argv:
        i = sys.argv.index("--ipc-bench")
        path = sys.argv[i + 1]
        del sys.argv[i:i + 2]
    return path


IPC_BENCH = take_ipc_bench_argument()


def machine_placements():
    """The placements a real run can use here: split needs two CPUs, and a
    busy-waiting transport (shm_spin) is skipped without them.  Returns
    (placements for --placement, whether shm_spin runs), printing why when
    the machine offers less."""
    if len(os.sched_getaffinity(0)) >= 2:
        return "split,same", True
    print("one CPU allowed: real runs use placement same only, without shm_spin", file=sys.stderr)
    return "same", False


def run_ipc_bench(json_path, *args):
    """Runs ipc_bench with --json json_path; fails the calling test on a non-zero exit."""
    result = subprocess.run([IPC_BENCH, *args, "--json", json_path], capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise AssertionError(f"ipc_bench {' '.join(args)} exited {result.returncode}: {result.stderr}")
    return json_path


def run_script(name, *args):
    """Runs scripts/<name> under this Python; returns the CompletedProcess (text)."""
    return subprocess.run([sys.executable, os.path.join(SCRIPTS, name), *map(str, args)],
                          capture_output=True, text=True, timeout=300)


PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def plot_picture(test, out, *args):
    """Runs plot.py *args -o out, which must succeed silently with a picture of some size; returns its bytes."""
    result = run_script("plot.py", *args, "-o", out)
    test.assertEqual(result.returncode, 0, result.stderr)
    test.assertEqual(result.stderr, "")
    test.assertGreater(os.path.getsize(out), 1000)
    with open(out, "rb") as f:
        return f.read()


class TempDir:
    """A scratch directory for a test class."""

    def __init__(self):
        self._dir = tempfile.TemporaryDirectory(prefix="ipc_bench_scripts_")
        self.path = self._dir.name

    def file(self, name):
        return os.path.join(self.path, name)

    def cleanup(self):
        self._dir.cleanup()


class WithTempDir(unittest.TestCase):
    """A test class with a scratch directory, self.tmp, for all its tests."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def write_json(path, data):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2)
    return path


def benchmark(name, real_time, unit="ns", repetition=None, repetitions=1, aggregate=None, **extra):
    """One Google Benchmark result entry as ipc_bench writes it."""
    run_name = f"{name}/real_time"
    entry = {
        "name": run_name + (f"_{aggregate}" if aggregate else ""),
        "run_name": run_name,
        "run_type": "aggregate" if aggregate else "iteration",
        "repetitions": repetitions,
        "threads": 1,
        "iterations": repetitions if aggregate else 1000,
        "real_time": real_time,
        "cpu_time": real_time / 2,
        "time_unit": unit,
    }
    if aggregate:
        entry["aggregate_name"] = aggregate
        entry["aggregate_unit"] = "percentage" if aggregate == "cv" else "time"
    else:
        entry["repetition_index"] = repetition or 0
    entry.update(extra)
    return entry


def repeated(name, times, **extra):
    """Per-repetition entries of one benchmark, as with --benchmark_repetitions=len(times)."""
    return [benchmark(name, t, repetition=i, repetitions=len(times), **extra) for i, t in enumerate(times)]


CONTEXT = {
    "date": "2026-01-01T00:00:00+00:00", "host_name": "testhost", "num_cpus": 2, "mhz_per_cpu": 2600,
    "cpu_scaling_enabled": False, "caches": [{"type": "Data", "level": 1, "size": 32768, "num_sharing": 1}],
    "library_build_type": "debug", "cpu_model": "Test CPU", "kernel": "Linux 6.1.0", "placement": "split",
    "ipc_bench_build_type": "Release", "ipc_bench_version": "test",
}


def results_file(path, benchmarks, **context):
    ctx = copy.deepcopy(CONTEXT)
    ctx.update(context)
    return write_json(path, {"context": ctx, "benchmarks": benchmarks})

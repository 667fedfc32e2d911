"""ipc_bench's JSON against what CI trackers read (docs/ci.md).

github-action-benchmark (tool 'googlecpp') JSON.parses the file and reads,
per entry of "benchmarks", name, real_time, time_unit, iterations (and
cpu_time, threads); Bencher's cpp_google adapter needs context.caches (a list, empty
where the machine reports no caches) and,
per entry, name, real_time and a time_unit of ns, us, ms or s.  Both key
results by name, and neither parses NaN or Infinity.

Checked on two real runs: one without repetitions, and one as docs/ci.md
runs it (repetitions, --benchmark_report_aggregates_only=true).  The JSON
is parsed with Node's JSON.parse when node is on PATH, else with Python's
json with NaN and Infinity rejected (the test says which).

Run by ctest (tests/CMakeLists.txt); by hand:
  python3 tests/scripts/tracker_json_test.py --ipc-bench build/bin/ipc_bench
"""
import json
import math
import shutil
import subprocess
import sys
import unittest

from script_support import TempDir, machine_placements, run_ipc_bench

UNITS = ("ns", "us", "ms", "s")

# What the trackers do with the file, in their own language: JSON.parse,
# then the fields each of them reads.  Prints the problems, one a line.
NODE_CHECK = r"""
const fs = require('fs');
const text = fs.readFileSync(process.argv[1], 'utf8');
let json;
try { json = JSON.parse(text); } catch (e) { console.log('JSON.parse: ' + e.message); process.exit(0); }
const problems = [];
if (!Array.isArray(json.context && json.context.caches)) problems.push('context.caches is not an array');
for (const [i, b] of (json.benchmarks || []).entries()) {
  if (typeof b.name !== 'string' || b.name === '') problems.push(`benchmarks[${i}]: no name`);
  if (typeof b.real_time !== 'number' || !isFinite(b.real_time)) problems.push(`benchmarks[${i}]: real_time`);
  if (!['ns', 'us', 'ms', 's'].includes(b.time_unit)) problems.push(`benchmarks[${i}]: time_unit ${b.time_unit}`);
  if (!Number.isInteger(b.iterations)) problems.push(`benchmarks[${i}]: iterations`);
}
if (!Array.isArray(json.benchmarks) || json.benchmarks.length === 0) problems.push('no benchmarks');
console.log(problems.join('\n'));
"""


def reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def python_problems(text):
    """The same checks as NODE_CHECK, plus no NaN/Infinity anywhere, in Python."""
    try:
        data = json.loads(text, parse_constant=reject_constant)
    except ValueError as e:
        return [f"json: {e}"]
    problems = []
    # Bencher's adapter needs the key as a list; Google Benchmark leaves it
    # empty where sysfs lists no caches (many VMs), and Bencher accepts that.
    if not isinstance(data.get("context", {}).get("caches"), list):
        problems.append("context.caches is not a list")
    benchmarks = data.get("benchmarks")
    if not isinstance(benchmarks, list) or not benchmarks:
        return problems + ["no benchmarks"]
    for i, b in enumerate(benchmarks):
        if not isinstance(b.get("name"), str) or not b["name"]:
            problems.append(f"benchmarks[{i}]: no name")
        if not isinstance(b.get("real_time"), (int, float)) or not math.isfinite(b["real_time"]):
            problems.append(f"benchmarks[{i}]: real_time missing or not finite")
        if b.get("time_unit") not in UNITS:
            problems.append(f"benchmarks[{i}]: time_unit {b.get('time_unit')!r}")
        if not isinstance(b.get("iterations"), int) or isinstance(b.get("iterations"), bool):
            problems.append(f"benchmarks[{i}]: iterations missing or not an integer")
        if b.get("error_occurred"):
            problems.append(f"benchmarks[{i}]: failed: {b.get('error_message')}")
    names = [b.get("name") for b in benchmarks]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        problems.append(f"duplicate names: {duplicates}")
    return problems


def node_problems(path):
    """Problems Node's JSON.parse and the trackers' field reads find, or None without node."""
    node = shutil.which("node")
    if not node:
        return None
    result = subprocess.run([node, "-e", NODE_CHECK, path], capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise AssertionError(f"node failed: {result.stderr}")
    return [line for line in result.stdout.splitlines() if line]


class TrackerFormat(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        cls.node = shutil.which("node")
        if cls.node:
            print(f"JSON parsed with Node's JSON.parse ({cls.node}) and with Python's json", file=sys.stderr)
        else:
            print("node is not on PATH: JSON parsed with Python's json only, NaN and Infinity rejected",
                  file=sys.stderr)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def check(self, path):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        self.assertEqual(python_problems(text), [])
        for token in ("NaN", "Infinity"):
            self.assertNotIn(token, text)
        problems = node_problems(path)
        if problems is not None:
            self.assertEqual(problems, [])

    def test_a_run_without_repetitions(self):
        self.check(run_ipc_bench(self.tmp.file("plain.json"), "-t", "pipe,udp,shm_spin", "-p", "4,64",
                                 "--placement", machine_placements()[0], "-n", "500"))

    def test_a_run_as_docs_ci_md_makes_it(self):
        path = run_ipc_bench(self.tmp.file("ci.json"), "-t", "pipe,udp", "-p", "4", "--placement", "none",
                             "-n", "300", "--benchmark_repetitions=3", "--benchmark_report_aggregates_only=true")
        self.check(path)
        with open(path) as f:
            kinds = {b.get("aggregate_name") for b in json.load(f)["benchmarks"]}
        self.assertEqual(kinds, {"mean", "median", "stddev", "cv"})

    def test_the_checks_catch_what_breaks_a_tracker(self):
        good = {"context": {"caches": [{"level": 1}]},
                "benchmarks": [{"name": "a", "real_time": 1.5, "time_unit": "ns", "iterations": 10}]}
        self.assertEqual(python_problems(json.dumps(good)), [])
        # A machine without cache information in sysfs.
        self.assertEqual(python_problems(json.dumps({**good, "context": {"caches": []}})), [])
        bad = {
            "NaN": '{"context": {"caches": [{}]}, "benchmarks": '
                   '[{"name": "a", "real_time": NaN, "time_unit": "ns", "iterations": 1}]}',
            "duplicate": json.dumps({**good, "benchmarks": good["benchmarks"] * 2}),
            "no caches": json.dumps({**good, "context": {}}),
            "unit": json.dumps({**good, "benchmarks": [{**good["benchmarks"][0], "time_unit": "cycles"}]}),
            "iterations": json.dumps({**good, "benchmarks": [{**good["benchmarks"][0], "iterations": None}]}),
        }
        for what, text in bad.items():
            with self.subTest(what=what):
                self.assertNotEqual(python_problems(text), [])
                path = self.tmp.file("bad.json")
                with open(path, "w") as f:
                    f.write(text)
                problems = node_problems(path)
                if problems is not None and what != "duplicate":  # duplicates are checked in Python only
                    self.assertNotEqual(problems, [])


if __name__ == "__main__":
    unittest.main()

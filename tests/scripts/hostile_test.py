"""scripts/compare.py and scripts/plot.py on hostile input (issue 23): deep nesting, another program's JSON,
JSON that is not an object, zero, negative, 1e308 or NaN times, a 115 MB file, nothing that matches, and a
standard output that cannot be written.  Each is one line on stderr and exit 2 (never 1, the gate's failure),
never a traceback, never "gate: passed (0 compared)", never gigabytes of memory.

Run by ctest (tests/CMakeLists.txt); by hand:
  /usr/bin/python3 tests/scripts/hostile_test.py --ipc-bench build/bin/ipc_bench
"""
import json
import os
import resource
import subprocess
import sys
import unittest

from script_support import SCRIPTS, WithTempDir, benchmark, results_file

NAME = "pipe/payload:4/placement:split"
# What a script may take: enough for Python and matplotlib, far from gigabytes.
MEMORY_LIMIT = 1 << 30


def limited():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_limited(script, *args, stdout=subprocess.PIPE):
    return subprocess.run([sys.executable, os.path.join(SCRIPTS, script), *map(str, args)], stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=300, preexec_fn=limited)


class Hostile(WithTempDir):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.good = results_file(cls.tmp.file("good.json"), [benchmark(NAME, 100.0, p50_ns=90.0, p99_ns=300.0)])

    def text(self, name, text):
        path = self.tmp.file(name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def assert_refused(self, path, expected, scripts=("compare.py", "plot.py")):
        """Every script, the file as base and as new: exit 2, nothing on stdout, one line naming the file."""
        for script in scripts:
            orders = ((self.good, path), (path, self.good)) if script == "compare.py" else ((path,),)
            for files in orders:
                extra = ("--threshold", "20") if script == "compare.py" else ("-o", self.tmp.file("out.png"))
                with self.subTest(script=script, files=[os.path.basename(f) for f in files]):
                    result = run_limited(script, *files, *extra)
                    self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
                    self.assertEqual(result.stdout, "")
                    lines = result.stderr.splitlines()
                    self.assertEqual(len(lines), 1, result.stderr)
                    self.assertTrue(lines[0].startswith(f"{script}: "), lines[0])
                    self.assertIn(expected, lines[0])
                    self.assertNotIn("Traceback", result.stderr)
                    self.assertFalse(os.path.exists(self.tmp.file("out.png")))

    def test_deep_nesting(self):
        self.assert_refused(self.text("deep.json", "[" * 200000 + "]" * 200000), "nested too deeply")
        deep = '{"benchmarks": [' + '{"a": ' * 100000 + "1" + "}" * 100000 + "]}"
        self.assert_refused(self.text("deep_inside.json", deep), "nested too deeply")

    def test_another_programs_json(self):
        for name, data, expected in (
                ("package.json", {"name": "x", "version": "1.0.0", "dependencies": {}}, 'no "benchmarks" list'),
                ("pytest_benchmark.json", {"machine_info": {}, "benchmarks": [
                    {"group": None, "name": "test_x", "fullname": "t.py::test_x", "stats": {"mean": 0.1}}]},
                 "real_time is missing"),
                ("hyperfine.json", {"results": [{"command": "sleep 1", "mean": 1.0, "times": [1.0]}]},
                 'no "benchmarks" list'),
                ("strings.json", {"benchmarks": ["pipe", "udp"]}, "has no name"),
                ("context.json", {"context": [1], "benchmarks": []}, '"context" is not an object')):
            with self.subTest(name=name):
                self.assert_refused(self.text(name, json.dumps(data)), expected)

    def test_json_that_is_not_an_object(self):
        for i, text in enumerate(("[1, 2, 3]", "3", '"benchmarks"', "null", "true", "[]")):
            with self.subTest(text=text):
                self.assert_refused(self.text(f"scalar{i}.json", text), 'no "benchmarks" list')

    def test_times_that_are_no_times(self):
        for i, (time, unit, expected) in enumerate((
                ("0", "ns", "real_time is 0 ns"), ("-5", "ns", "real_time is -5 ns"),
                ("1e308", "ns", "real_time is 1e+308 ns"), ("1e308", "s", "real_time is 1e+308 s"),
                ("NaN", "ns", "real_time is nan"), ("Infinity", "us", "real_time is inf"),
                ("-Infinity", "ns", "real_time is -inf"), ("1" + "0" * 400, "ns", "beyond any float"),
                ("1" + "0" * 5000, "ns", "cannot be read as JSON"), ("90000", "s", "at most a day"))):
            with self.subTest(time=time[:10], unit=unit):
                text = ('{"benchmarks": [{"name": "%s/real_time", "run_type": "iteration", "real_time": %s, '
                        '"time_unit": "%s"}]}' % (NAME, time, unit))
                self.assert_refused(self.text(f"time{i}.json", text), expected)
        for i, (counter, value) in enumerate((("p99_ns", "-1"), ("p50_ns", "NaN"), ("p99_ns", "1e308"),
                                              ("achieved_rate", "-3"), ("late_sends", "Infinity"))):
            with self.subTest(counter=counter, value=value):
                text = ('{"benchmarks": [{"name": "%s/real_time", "real_time": 100, "time_unit": "ns", "%s": %s}]}'
                        % (NAME, counter, value))
                self.assert_refused(self.text(f"counter{i}.json", text), f"{counter} is")

    def test_a_huge_file_is_refused_before_it_is_read(self):
        huge = self.tmp.file("huge.json")
        with open(huge, "w") as f:  # 115 MB, sparse: no disk taken
            f.truncate(115 * 1000 * 1000)
        self.assert_refused(huge, "larger than 16 MiB")
        # A device that never ends is no better.
        self.assert_refused("/dev/zero", "larger than 16 MiB")

    def test_a_flood_of_small_objects_is_refused_without_the_memory(self):
        flood = '{"benchmarks": [' + ",".join(["{}"] * 3_000_000) + "]}"
        self.assert_refused(self.text("flood.json", flood), "more than 200000 JSON objects")

    def test_nothing_matched_is_exit_two_never_a_passed_gate(self):
        empty = results_file(self.tmp.file("empty.json"), [])
        other = results_file(self.tmp.file("other.json"), [benchmark("BM_Other/8", 5.0)])
        for path in (empty, other):
            for args in ((), ("--threshold", "20")):
                with self.subTest(path=os.path.basename(path), args=args):
                    result = run_limited("compare.py", self.good, path, *args)
                    self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
                    self.assertEqual(result.stdout, "")
                    self.assertNotIn("gate: passed", result.stdout)
                    lines = result.stderr.splitlines()
                    self.assertEqual(len(lines), 1, result.stderr)
                    self.assertIn("nothing to compare: no result name is in both files", lines[0])
        # Names in both files but a time in neither (failed in both): nothing compared, exit 2 after the table.
        failed = results_file(self.tmp.file("failed.json"), [
            benchmark(NAME, 0.0, error_occurred=True, error_message="consumer died")])
        result = run_limited("compare.py", failed, failed, "--threshold", "20")
        self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
        self.assertIn("failed in both: consumer died", result.stdout)
        self.assertNotIn("gate: passed", result.stdout)
        self.assertEqual(result.stderr.splitlines(),
                         ["compare.py: nothing compared: no result has a time in both files (see the verdicts)"])
        # A stddev alone is no time either.
        spread = results_file(self.tmp.file("stddev.json"), [benchmark(NAME, 3.0, aggregate="stddev", repetitions=5)])
        result = run_limited("compare.py", spread, spread)
        self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
        self.assertIn("no time in base", result.stdout)
        self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)
        # plot.py: an empty file has nothing to draw.
        result = run_limited("plot.py", empty, "-o", self.tmp.file("empty.png"))
        self.assertEqual((result.returncode, len(result.stderr.splitlines())), (2, 1), result.stderr)
        self.assertIn("no results in", result.stderr)

    def test_a_standard_output_that_cannot_be_written(self):
        commands = (("compare.py", self.good, self.good), ("compare.py", self.good, self.good, "--threshold", "20"),
                    ("compare.py", "--help"), ("plot.py", "--help"), ("vs_reference.py", "--help"))
        for command in commands:
            with self.subTest(command=command, stdout="/dev/full"):
                with open("/dev/full", "w") as full:
                    result = run_limited(*command, stdout=full)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertEqual(result.stderr.splitlines(),
                                 [f"{command[0]}: cannot write to standard output: No space left on device"])
            with self.subTest(command=command, stdout="a closed pipe"):
                read, write = os.pipe()
                os.close(read)  # the reader left before the first byte: every write is EPIPE
                try:
                    result = run_limited(*command, stdout=write)
                finally:
                    os.close(write)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertEqual(result.stderr.splitlines(),
                                 [f"{command[0]}: cannot write to standard output: the reader left early "
                                  "(broken pipe)"])

    def test_piped_into_head(self):
        script = os.path.join(SCRIPTS, "compare.py")
        result = subprocess.run(["bash", "-c", 'set -o pipefail; "$0" "$1" "$2" "$3" | head -1', sys.executable, script,
                                 self.good, self.good], capture_output=True, text=True, timeout=120)
        # Whether the reader leaves before the one write depends on timing: all is written (0), or it is
        # said in one line (2).  Never a traceback, never 120 (the interpreter's own flush failing).
        self.assertIn(result.returncode, (0, 2), result.stderr)
        self.assertEqual(len(result.stdout.splitlines()), 1)
        self.assertLessEqual(len(result.stderr.splitlines()), 1, result.stderr)
        self.assertNotIn("Traceback", result.stderr)

    def test_plot_output_that_cannot_be_written(self):
        result = run_limited("plot.py", self.good, "-o", "/dev/full/x.png")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)


if __name__ == "__main__":
    unittest.main()

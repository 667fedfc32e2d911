"""scripts/plot.py --vs-fanout: the slowest receiver against the fan-out.

Run by ctest (tests/CMakeLists.txt); by hand:
  /usr/bin/python3 tests/scripts/plot_fanout_test.py --ipc-bench build/bin/ipc_bench
"""
import sys
import unittest

from script_support import PNG_MAGIC, SCRIPTS, TempDir, benchmark, plot_picture, results_file, run_script

sys.path.insert(0, SCRIPTS)
import plot_fanout  # noqa: E402
from bench_json import load  # noqa: E402


def fanout(transport, n, base):
    """A result as ipc_bench --fanout writes it: receiver i's delivery grows with i (the i-th send)."""
    name = f"{transport}/payload:64/placement:split" + (f"/fanout:{n}" if n > 1 else "")
    extra = {}
    for i in range(n if n > 1 else 0):
        extra.update({f"r{i}_p50_ns": base * (1 + i), f"r{i}_p99_ns": base * (3 + i), f"r{i}_max_ns": base * 9})
    if n > 1:
        extra["spread_p99"] = (3 + n - 1) / 3
    return benchmark(name, base * n * 2, p50_ns=base * 2, p99_ns=base * 5, max_ns=base * 20, **extra)


class VsFanout(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        cls.results = results_file(cls.tmp.file("fan.json"), [
            fanout(t, n, base) for t, base in (("pipe", 9000.0), ("shm_futex", 3000.0)) for n in (1, 2, 4, 8)])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_the_slowest_receiver_is_the_largest_of_each_percentile(self):
        found, error = plot_fanout.check([(self.results, *load(self.results))])
        self.assertIsNone(error)
        series = found[(64, "split")]["pipe"]
        self.assertEqual(series[4][:3], (9000.0 * 4, 9000.0 * 6, 2.0))
        self.assertEqual(series[1], (18000.0, 45000.0, None, False), "N = 1 is the round trip, unstamped")

    def test_png_and_svg_name_what_is_drawn(self):
        self.assertTrue(plot_picture(self, self.tmp.file("f.png"), "--vs-fanout", self.results).startswith(PNG_MAGIC))
        svg = plot_picture(self, self.tmp.file("f.svg"), "--vs-fanout", self.results).decode("utf-8")
        for text in ("pipe", "shm_futex", "p50", "p99", "spread_p99", "fan-out N", "64 B, placement split",
                     "no delivery stamp"):
            self.assertIn(text, svg)

    def test_no_fanout_result_is_refused_in_one_line(self):
        path = results_file(self.tmp.file("one.json"), [fanout("pipe", 1, 9000.0)])
        result = run_script("plot.py", "--vs-fanout", path, "-o", self.tmp.file("none.png"))
        self.assertEqual(result.returncode, 2)
        self.assertEqual(len(result.stderr.splitlines()), 1)
        self.assertIn("--fanout", result.stderr)


if __name__ == "__main__":
    unittest.main()

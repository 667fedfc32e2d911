"""scripts/plot.py: writes a non-empty SVG and PNG from real and synthetic runs.

Run by ctest (tests/CMakeLists.txt); by hand:
  /usr/bin/python3 tests/plot_test.py --ipc-bench build/bin/ipc_bench
"""
import os
import unittest

from script_support import (TempDir, benchmark, machine_placements, repeated, results_file, run_ipc_bench,
                            run_script)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class Plot(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        placements, cls.spins = machine_placements()
        cls.real = run_ipc_bench(cls.tmp.file("real.json"), "-t", "pipe,udp,shm_spin", "-p", "4,1K",
                                 "--placement", placements, "-n", "500")
        # What a run with percentile counters, repetitions and a failure looks like.
        name = "{}/payload:{}/placement:split"
        cls.synthetic = results_file(cls.tmp.file("synthetic.json"), [
            benchmark(name.format("pipe", 4), 50000.0, p50_ns=48000.0, p99_ns=90000.0),
            benchmark(name.format("shm_spin", 4), 0.08, unit="us", p50_ns=75.0, p99_ns=400.0),
            *repeated(name.format("udp", 4), [60000.0, 61000.0, 58000.0]),
            benchmark(name.format("tcp_nodelay", 4), 0.0, error_occurred=True, error_message="consumer died"),
        ], cpu_model="Other CPU", host_name="other")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def plot(self, out, *files):
        result = run_script("plot.py", *files, "-o", out)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, "")
        self.assertGreater(os.path.getsize(out), 1000)
        with open(out, "rb") as f:
            return f.read()

    def test_svg(self):
        svg = self.plot(self.tmp.file("rtt.svg"), self.real).decode("utf-8")
        self.assertIn("<svg", svg)
        self.assertTrue(svg.rstrip().endswith("</svg>"))
        expected = ["pipe", "udp", "4 B", "1 KiB", "same", "time per round trip"]
        if self.spins:
            expected += ["shm_spin", "split"]
        for text in expected:
            self.assertIn(text, svg)

    def test_png(self):
        png = self.plot(self.tmp.file("rtt.png"), self.real)
        self.assertTrue(png.startswith(PNG_MAGIC))

    def test_several_files_side_by_side_with_percentiles_repetitions_and_a_failure(self):
        svg = self.plot(self.tmp.file("both.svg"), self.real, self.synthetic).decode("utf-8")
        for text in ("real.json", "synthetic.json", "Other CPU", "p50 to p99", "min to max of repetitions",
                     "failed", "tcp_nodelay"):
            self.assertIn(text, svg)
        self.assertTrue(self.plot(self.tmp.file("both.png"), self.real, self.synthetic).startswith(PNG_MAGIC))

    def test_bad_input_exits_two_with_one_line(self):
        truncated = self.tmp.file("truncated.json")
        with open(self.real) as f, open(truncated, "w") as out:
            out.write(f.read()[:200])
        for args, expected in (((truncated, "-o", self.tmp.file("x.svg")), "is not valid JSON"),
                               ((self.tmp.file("missing.json"), "-o", self.tmp.file("x.svg")), "cannot read"),
                               ((self.real, "-o", self.tmp.file("x.pdf")), ".svg or .png"),
                               ((self.real, "-o", self.tmp.file("no/such/dir/x.svg")), "no such directory")):
            with self.subTest(args=args):
                result = run_script("plot.py", *args)
                self.assertEqual(result.returncode, 2, result.stderr)
                lines = result.stderr.splitlines()
                self.assertEqual(len(lines), 1, result.stderr)
                self.assertIn(expected, lines[0])
                self.assertFalse(os.path.exists(args[-1]))


if __name__ == "__main__":
    unittest.main()

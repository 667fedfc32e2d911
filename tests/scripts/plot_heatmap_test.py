"""scripts/plot.py --heatmap: the matrix of ipc_bench --placement pairs.

Run by ctest (tests/CMakeLists.txt); by hand:
  /usr/bin/python3 tests/scripts/plot_heatmap_test.py --ipc-bench build/bin/ipc_bench
"""
import os
import sys
import unittest

from script_support import (PNG_MAGIC, SCRIPTS, TempDir, benchmark, plot_picture, read_json, results_file,
                            run_ipc_bench, run_script)

sys.path.insert(0, SCRIPTS)
import plot  # noqa: E402
import plot_heatmap  # noqa: E402
from bench_json import load  # noqa: E402


def pairs(transport, cpus, base, floor=None):
    """One pair result per ordered pair of `cpus`, the p50 growing with the distance between the CPUs."""
    out = []
    for p in cpus:
        for c in cpus:
            if p != c:
                extra = {"floor_cacheline_ns": floor * (1 + abs(p - c))} if floor else {}
                ns = base * (1 + abs(p - c) / 8)
                out.append(benchmark(f"{transport}/payload:64/placement:cpus-{p}-{c}/iterations:2000", ns,
                                     p50_ns=ns, p99_ns=ns * 3, **extra))
    return out


def topology_of(cpus, per_llc):
    """The "topology" context ipc_bench writes: two threads a core, `per_llc` CPUs an LLC, two LLCs a node."""
    return " ".join(f"{c}:core={c - c % 2},llc={c - c % per_llc},node={c // (2 * per_llc)}" for c in cpus)


class Heatmap(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        cls.two = results_file(cls.tmp.file("two.json"), pairs("pipe", [0, 1], 9000.0, floor=300.0),
                               topology=topology_of([0, 1], 2))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_two_cpus_png(self):
        self.assertTrue(plot_picture(self, self.tmp.file("two.png"), "--heatmap", self.two).startswith(PNG_MAGIC))

    def test_every_cell_has_its_value_the_scale_its_unit_and_the_floor_stands_beside(self):
        svg = plot_picture(self, self.tmp.file("two.svg"), "--heatmap", self.two).decode("utf-8")
        self.assertIn(plot_heatmap.short_ns(9000.0 * (1 + 1 / 8)), svg)
        for text in ("pipe, 64 B", "p50 round trip (log scale, ns)", "floor_cacheline_ns (log scale, ns)",
                     "producer CPU", "consumer CPU", "600ns"):
            self.assertIn(text, svg)

    def test_64_cpus_keep_a_cell_and_a_value_each(self):
        # Built, not rendered: drawing 4032 texts takes seconds that this test does not need to spend.
        cpus = list(range(64))
        path = results_file(self.tmp.file("big.json"), pairs("shm_spin", cpus, 200.0),
                            topology=topology_of(cpus, 8))
        found, error = plot_heatmap.check([(path, *load(path))])
        self.assertIsNone(error)
        fig = plot_heatmap.heatmap_figure(plot.pyplot(), found)
        matrix = fig.axes[0]
        self.assertEqual(matrix.get_title(), "shm_spin, 64 B: p50 round trip")
        self.assertEqual(len(matrix.texts), 64 * 63)
        self.assertGreaterEqual(min(t.get_fontsize() for t in matrix.texts), 2.5)
        # Borders: 32 cores, 8 LLCs and 4 nodes change 31, 7 and 3 times, each a line across and one down.
        self.assertEqual(len(matrix.lines), 2 * (31 + 7 + 3))
        width, height = fig.get_size_inches()
        self.assertLess(width, 30)
        plot.pyplot().close(fig)

    def test_no_pair_result_is_refused_in_one_line(self):
        path = results_file(self.tmp.file("split.json"), [benchmark("pipe/payload:64/placement:split", 9000.0)])
        result = run_script("plot.py", "--heatmap", path, "-o", self.tmp.file("none.png"))
        self.assertEqual(result.returncode, 2)
        self.assertEqual(len(result.stderr.splitlines()), 1)
        self.assertIn("--placement pairs", result.stderr)

    @unittest.skipUnless(len(os.sched_getaffinity(0)) >= 2, "--placement pairs needs two allowed CPUs")
    def test_a_real_run_draws_every_pair(self):
        cpus = sorted(os.sched_getaffinity(0))[:2]
        out = self.tmp.file("real.json")
        import subprocess
        from script_support import IPC_BENCH
        result = subprocess.run(["taskset", "-c", ",".join(map(str, cpus)), IPC_BENCH, "-t", "pipe", "-p", "64",
                                 "--placement", "pairs", "-n", "200", "--json", out],
                                capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        names = [b["run_name"] for b in read_json(out)["benchmarks"]]
        self.assertEqual(names, [f"pipe/payload:64/placement:cpus-{cpus[0]}-{cpus[1]}/iterations:200/real_time",
                                 f"pipe/payload:64/placement:cpus-{cpus[1]}-{cpus[0]}/iterations:200/real_time"])
        found, error = plot_heatmap.check([(out, *load(out))])
        self.assertIsNone(error)
        self.assertEqual(set(found[("pipe", 64)]["cells"]), {(cpus[0], cpus[1]), (cpus[1], cpus[0])})
        svg = plot_picture(self, self.tmp.file("real.svg"), "--heatmap", out).decode("utf-8")
        for ns in found[("pipe", 64)]["cells"].values():
            self.assertIn(plot_heatmap.short_ns(ns), svg)


if __name__ == "__main__":
    unittest.main()

"""scripts/plot.py: writes a non-empty SVG and PNG from real and synthetic runs.

Run by ctest (tests/CMakeLists.txt); by hand:
  /usr/bin/python3 tests/scripts/plot_test.py --ipc-bench build/bin/ipc_bench
"""
import itertools
import os
import sys
import unittest

from script_support import (PNG_MAGIC, SCRIPTS, TempDir, WithTempDir, benchmark, machine_placements, plot_picture,
                            repeated, results_file, run_ipc_bench, run_script)

sys.path.insert(0, SCRIPTS)
import plot  # noqa: E402
from bench_json import load  # noqa: E402

# ipc_bench's fifteen transports (ipc_bench --list).
TRANSPORTS = ["pipe", "tcp_nodelay", "tcp_nagle", "udp", "shm_spin", "eventfd", "shm_futex", "mmap_file", "zmq_ipc",
              "zmq_tcp", "unix_stream", "unix_dgram", "unix_seqpacket", "fifo", "posix_mq"]


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
        return plot_picture(self, out, *files)

    def test_svg(self):
        svg = self.plot(self.tmp.file("rtt.svg"), self.real).decode("utf-8")
        self.assertIn("<svg", svg)
        self.assertTrue(svg.rstrip().endswith("</svg>"))
        expected = ["pipe", "udp", "4 B", "1 KiB", "same", "time per round trip"]
        if self.spins:
            expected += ["shm_spin", "split"]
        for text in expected:
            self.assertTrue(text in svg, text)

    def test_png(self):
        png = self.plot(self.tmp.file("rtt.png"), self.real)
        self.assertTrue(png.startswith(PNG_MAGIC))

    def test_several_files_side_by_side_with_percentiles_repetitions_and_a_failure(self):
        svg = self.plot(self.tmp.file("both.svg"), self.real, self.synthetic).decode("utf-8")
        for text in ("real.json", "synthetic.json", "Other CPU", "line from the bar up to p99",
                     "min to max of repetitions", "failed", "tcp_nodelay"):
            self.assertTrue(text in svg, text)
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


class WhatTheBarsSay(WithTempDir):
    """Issue 23: the value label names the figure; a p99 under the mean does not read as an error bar; a
    skipped or failed benchmark is marked in its bar's place."""
    NAME = "{}/payload:4/placement:split"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plt = plot.pyplot()

    def figure(self, entries):
        path = results_file(self.tmp.file("bars.json"), entries)
        ctx, results = load(path)
        fig = plot.figure(self.plt, [(path, ctx, plot.parse(results))])
        self.addCleanup(self.plt.close, fig)
        return fig, fig.axes[0]

    def test_the_value_label_says_mean_or_median(self):
        fig, ax = self.figure([benchmark(self.NAME.format("pipe"), 50000.0, p50_ns=48000.0, p99_ns=90000.0),
                               *repeated(self.NAME.format("udp"), [60000.0, 61000.0, 58000.0])])
        texts = sorted(t.get_text() for t in ax.texts)
        self.assertEqual(texts, ["mean 50 us", "median 60 us"])

    def test_a_p99_under_the_mean_is_a_mark_inside_the_bar_not_a_line(self):
        # A real shm_spin run: mean 7.35 us carried by a few slow round trips, p50 550 ns, p99 762 ns.
        fig, ax = self.figure([benchmark(self.NAME.format("shm_spin"), 7350.0, p50_ns=550.0, p99_ns=762.0),
                               benchmark(self.NAME.format("pipe"), 50000.0, p50_ns=48000.0, p99_ns=90000.0)])
        segments = [seg for c in ax.collections for seg in c.get_segments()]
        # One vertical line only: pipe's, from its bar's top (the mean) up to p99.
        self.assertEqual(len(segments), 1, segments)
        (x0, y0), (x1, y1) = segments[0]
        self.assertEqual((y0, y1), (50000.0, 90000.0))
        below = [line for line in ax.get_lines() if line.get_marker() == "v"]
        self.assertEqual(len(below), 1)
        self.assertEqual(below[0].get_ydata()[0], 762.0)
        self.assertEqual(below[0].get_markerfacecolor(), "white")
        labels = [t.get_text() for a in fig.axes if a.get_legend() for t in a.get_legend().get_texts()]
        self.assertIn("p99 under the mean (slow tail)", labels)
        self.assertIn("line from the bar up to p99", labels)

    def test_a_skipped_and_a_failed_benchmark_are_marked_and_said(self):
        fig, ax = self.figure([benchmark(self.NAME.format("pipe"), 50000.0),
                               benchmark(self.NAME.format("eventfd"), 0.0, skipped=True, skip_message="needs 2 CPUs"),
                               benchmark(self.NAME.format("tcp_nodelay"), 0.0, error_occurred=True,
                                         error_message="consumer died")])
        self.assertEqual(sorted(t.get_text() for t in ax.texts), ["failed", "mean 50 us", "skipped"])
        crosses = [line for line in ax.get_lines() if line.get_marker() == "x"]
        self.assertEqual(len(crosses), 2)
        labels = [t.get_text() for a in fig.axes if a.get_legend() for t in a.get_legend().get_texts()]
        self.assertIn("failed", labels)
        self.assertIn("skipped", labels)

    def test_a_benchmark_ipc_bench_left_out_of_its_json_is_marked_skipped(self):
        # ipc_bench skips shm_spin at same and writes nothing of it: a gap in the cross product of the file.
        name = "{}/payload:4/placement:{}"
        fig, ax = self.figure([benchmark(name.format("pipe", "split"), 50000.0),
                               benchmark(name.format("shm_spin", "split"), 600.0),
                               benchmark(name.format("pipe", "same"), 9000.0)])
        self.assertEqual(sorted(t.get_text() for t in ax.texts), ["mean 50 us", "mean 600 ns", "mean 9 us", "skipped"])
        (cross,) = [line for line in ax.get_lines() if line.get_marker() == "x"]
        self.assertGreater(cross.get_xdata()[0], 1, "in the same group, shm_spin's place")


class Layout(unittest.TestCase):
    """What a reader sees: a style per transport, nothing drawn over anything else."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        cls.plt = plot.pyplot()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def panels(self, transports, files):
        """`files` synthetic files of `transports` at 4 B and 4 KiB, split and same, with percentiles."""
        out = []
        for f in range(files):
            entries = [benchmark(f"{t}/payload:{p}/placement:{pl}", 1000.0 * (i + 1) + p, p50_ns=900.0 * (i + 1),
                                 p99_ns=50000.0 * (i + 1))
                       for i, t in enumerate(transports) for p in (4, 4096) for pl in ("split", "same")]
            path = results_file(self.tmp.file(f"run{f}.json"), entries)
            ctx, results = load(path)
            out.append((path, ctx, plot.parse(results)))
        return out

    def draw(self, transports, files):
        fig = plot.figure(self.plt, self.panels(transports, files))
        fig.canvas.draw()
        self.addCleanup(self.plt.close, fig)
        return fig

    def test_every_transport_has_a_style_of_its_own(self):
        fig = self.draw(TRANSPORTS, 1)
        styles = {}
        for patch in fig.axes[0].patches:
            styles.setdefault(patch.get_gid(), set()).add((patch.get_facecolor(), patch.get_hatch()))
        self.assertEqual(set(styles), set(TRANSPORTS))
        self.assertTrue(all(len(s) == 1 for s in styles.values()), "one style per transport in every group")
        self.assertEqual(len({s.pop() for s in styles.values()}), len(TRANSPORTS))

    def test_nothing_overlaps_at_one_four_and_fifteen_transports_and_one_to_three_files(self):
        for count, files in itertools.product((1, 4, 15), (1, 2, 3)):
            with self.subTest(transports=count, files=files):
                fig = self.draw(TRANSPORTS[:count], files)
                renderer = fig.canvas.get_renderer()
                (legend,) = [a.get_legend() for a in fig.axes if a.get_legend()]
                legend_box = legend.get_window_extent(renderer)
                for ax in fig.axes:
                    boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels() + [ax.title]]
                    boxes.append(ax.get_window_extent(renderer))
                    self.assertFalse(any(legend_box.overlaps(b) for b in boxes), "the legend covers a panel")
                    labels = [t.get_window_extent(renderer) for t in ax.texts]
                    for a, b in itertools.combinations(labels, 2):
                        self.assertFalse(a.overlaps(b), f"two value labels overlap: {a} {b}")


if __name__ == "__main__":
    unittest.main()

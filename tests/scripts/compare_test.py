"""scripts/compare.py: the gate, the table, the rank test, bad input.

Run by ctest (tests/CMakeLists.txt); by hand:
  python3 tests/scripts/compare_test.py --ipc-bench build/bin/ipc_bench
"""
import copy
import itertools
import os
import random
import sys
import unittest

from script_support import (SCRIPTS, TempDir, WithTempDir, benchmark, read_json, repeated, results_file,
                            run_ipc_bench, run_script, write_json)

sys.path.insert(0, SCRIPTS)
import compare  # noqa: E402


def row_of(output, name):
    """The table row of result `name`: its line (the name followed by spaces) and the indented lines under it
    (a verdict that did not fit beside the numbers), the words one space apart."""
    lines = output.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith(name + " ")]
    if len(starts) != 1:
        raise AssertionError(f"expected one row for {name}, got {[lines[i] for i in starts]} in:\n{output}")
    end = starts[0] + 1
    while end < len(lines) and lines[end].startswith(" "):
        end += 1
    return " ".join(" ".join(lines[starts[0]:end]).split())


def display_name(entry):
    """What compare.py shows for an ipc_bench entry: run_name without /iterations:N and /real_time."""
    name = entry["run_name"].replace("/real_time", "")
    return "/".join(part for part in name.split("/") if not part.startswith("iterations:"))


class RealRun(unittest.TestCase):
    """A short real ipc_bench run, compared with itself and with altered copies."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        cls.real = run_ipc_bench(cls.tmp.file("real.json"), "-t", "pipe,udp", "-p", "4,64", "--placement", "none",
                                 "-n", "500")
        cls.data = read_json(cls.real)
        cls.names = [display_name(b) for b in cls.data["benchmarks"]]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def altered(self, name, change):
        data = copy.deepcopy(self.data)
        change(data)
        return write_json(self.tmp.file(name), data)

    def test_identical_files_pass_the_gate_and_every_result_is_listed(self):
        result = run_script("compare.py", self.real, self.real, "--threshold", "20")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(len(self.names), 4)
        for name in self.names:
            row = row_of(result.stdout, name)
            self.assertIn("+0.0%", row)
            self.assertNotIn("FAIL", row)
        self.assertIn("gate: passed", result.stdout)
        self.assertIn("Context: no differences", result.stdout)

    def test_a_result_sixty_percent_slower_fails_a_twenty_percent_gate_and_is_named(self):
        def slow_down(data):
            data["benchmarks"][1]["real_time"] *= 1.6
        slower = self.altered("slower.json", slow_down)
        result = run_script("compare.py", self.real, slower, "--threshold", "20")
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        slow = self.names[1]
        self.assertIn("FAIL", row_of(result.stdout, slow))
        self.assertIn("+60.0%", row_of(result.stdout, slow))
        for other in self.names[:1] + self.names[2:]:
            self.assertNotIn("FAIL", row_of(result.stdout, other))
        summary = result.stdout[result.stdout.index("gate: FAILED"):]
        self.assertIn(slow, summary)
        self.assertIn("+60.0%", summary)
        # Without a gate the same comparison only reports.
        self.assertEqual(run_script("compare.py", self.real, slower).returncode, 0)
        # A 60% slow-down passes a 70% gate.
        self.assertEqual(run_script("compare.py", self.real, slower, "--threshold", "70").returncode, 0)

    def test_the_explanation_counters_that_moved_are_named_and_no_others(self):
        first = self.data["benchmarks"][0]
        if "consumer_switches" not in first:
            self.skipTest("this machine counts no switches: " + self.data["context"].get("explain_source", "?"))

        def more_switches(data):
            entry = data["benchmarks"][0]
            entry["consumer_switches"] = entry["consumer_switches"] + 1.0
            entry["producer_switches"] = entry["producer_switches"] + 0.001  # a batch's own few: not named
        changed = self.altered("switches.json", more_switches)
        result = run_script("compare.py", self.real, changed)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        explained = result.stdout[result.stdout.index("Explained"):]
        before = first["consumer_switches"]
        self.assertIn(f"{self.names[0]}: consumer switches per round trip {before:.2f} -> {before + 1:.2f}",
                      explained.replace("\n    ", " "))
        self.assertNotIn("producer switches", explained)
        for name in self.names[1:]:
            self.assertNotIn(name + ":", explained)
        # The same file twice: nothing moved, nothing to explain.
        self.assertNotIn("Explained", run_script("compare.py", self.real, self.real).stdout)

    def test_results_in_only_one_file_are_listed_not_fatal(self):
        def drop_last(data):
            data["benchmarks"].pop()
        fewer = self.altered("fewer.json", drop_last)
        result = run_script("compare.py", self.real, fewer, "--threshold", "20")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("only in base", row_of(result.stdout, self.names[-1]))
        result = run_script("compare.py", fewer, self.real, "--threshold", "20")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("only in new", row_of(result.stdout, self.names[-1]))

    def test_time_units_are_normalised(self):
        def to_microseconds(data):
            for b in data["benchmarks"]:
                b["real_time"] /= 1000
                b["cpu_time"] /= 1000
                b["time_unit"] = "us"
        in_us = self.altered("us.json", to_microseconds)
        result = run_script("compare.py", self.real, in_us, "--threshold", "1")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        for name in self.names:
            self.assertIn("+0.0%", row_of(result.stdout, name))

    def test_runs_with_different_iteration_counts_match(self):
        def renamed(data):
            for b in data["benchmarks"]:
                for key in ("name", "run_name"):
                    b[key] = b[key].replace("/iterations:500/", "/iterations:9000/")
        other = self.altered("n9000.json", renamed)
        result = run_script("compare.py", self.real, other)
        self.assertNotIn("only in", result.stdout)

    def test_a_failed_result_is_shown_as_failed_never_as_a_number(self):
        def fail_first(data):
            b = data["benchmarks"][0]
            b.update(error_occurred=True, error_message="the consumer died", real_time=0.0, iterations=0)
        failed = self.altered("failed.json", fail_first)
        name = self.names[0]

        result = run_script("compare.py", self.real, failed, "--threshold", "20")
        self.assertEqual(result.returncode, 1, "a result that fails in new fails the gate")
        row = row_of(result.stdout, name)
        self.assertIn("FAILED", row)
        self.assertIn("failed in new: the consumer died", row)
        self.assertNotIn("%", row)

        result = run_script("compare.py", failed, self.real, "--threshold", "20")
        self.assertEqual(result.returncode, 0, "a result that failed in base does not fail the gate")
        self.assertIn("failed in base", row_of(result.stdout, name))

        result = run_script("compare.py", failed, failed, "--threshold", "20")
        self.assertEqual(result.returncode, 0)
        self.assertIn("failed in both", row_of(result.stdout, name))

    def test_context_differences_are_printed_above_the_table(self):
        def other_machine(data):
            data["context"].update(cpu_model="Other CPU 9000", kernel="Linux 5.10.0", virtualization="xen")
            data["context"].pop("clocksource", None)
        other = self.altered("other.json", other_machine)
        result = run_script("compare.py", self.real, other)
        self.assertEqual(result.returncode, 0, result.stderr)
        head = result.stdout[:result.stdout.index("\nname ")]
        self.assertIn("Context differences", head)
        for key, value in (("cpu_model", "Other CPU 9000"), ("kernel", "Linux 5.10.0"), ("virtualization", "xen")):
            line = next(line for line in head.splitlines() if line.strip().startswith(key + " "))
            self.assertIn(value, line)
        self.assertIn("(absent)", head)  # clocksource only in the base file
        self.assertNotIn("placement ", head)

    def test_a_file_measured_with_warnings_is_named_as_disturbed(self):
        self.assertIn("warnings", self.data["context"])
        def disturb(data):
            data["context"]["warnings"] = "load average 8.00 with 2 CPUs allowed: other work competes for the CPUs"
        disturbed = self.altered("disturbed.json", disturb)
        def quiet(data):
            data["context"]["warnings"] = "none"
        calm = self.altered("calm.json", quiet)
        result = run_script("compare.py", calm, disturbed)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        lines = result.stdout.splitlines()
        start = lines.index("Disturbed: disturbed.json was measured with warnings:")
        self.assertEqual(lines[start + 1:start + 3], [
            "  - load average 8.00 with 2 CPUs allowed: other work competes for the CPUs", ""])
        self.assertEqual(sum(line.startswith("Disturbed:") for line in lines), 1)
        result = run_script("compare.py", calm, calm)
        self.assertNotIn("Disturbed:", result.stdout)
        # The same file given twice is named once (issue 23: it was printed twice).
        result = run_script("compare.py", disturbed, disturbed)
        self.assertEqual(result.stdout.count("Disturbed:"), 1, result.stdout)
        self.assertEqual(result.stdout.count("load average 8.00"), 1, result.stdout)

    def test_several_new_files_are_compared_with_the_base(self):
        def slow_down(data):
            data["benchmarks"][0]["real_time"] *= 2
        slower = self.altered("twice.json", slow_down)
        result = run_script("compare.py", self.real, self.real, slower, "--threshold", "20")
        self.assertEqual(result.returncode, 1)
        self.assertIn(" file ", next(line for line in result.stdout.splitlines() if line.startswith("name ")))
        failing = [line for line in result.stdout.splitlines() if " FAIL" in line and "twice.json" in line]
        self.assertEqual(len(failing), 1, result.stdout)

    def test_real_repetitions_of_the_same_file_are_within_noise(self):
        reps = run_ipc_bench(self.tmp.file("reps.json"), "-t", "pipe", "--placement", "none", "-n", "300",
                             "--benchmark_repetitions=4")
        result = run_script("compare.py", reps, reps, "--threshold", "20")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        # Within noise, or too noisy to tell a 20% change (a loaded machine): never a change.
        row = row_of(result.stdout, "pipe/payload:4/placement:none")
        self.assertRegex(row, r"p=1[,)]")
        self.assertNotIn("FAIL", row)


class BadInput(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        cls.good = results_file(cls.tmp.file("good.json"), [benchmark("pipe/payload:4/placement:split", 100.0)])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def assert_bad_input(self, path, expected):
        for args in ((self.good, path), (path, self.good)):
            result = run_script("compare.py", *args, "--threshold", "20")
            self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
            self.assertEqual(result.stdout, "")
            lines = result.stderr.splitlines()
            self.assertEqual(len(lines), 1, result.stderr)
            self.assertTrue(lines[0].startswith("compare.py: "), lines[0])
            self.assertIn(path, lines[0])
            self.assertIn(expected, lines[0])

    def test_malformed_json(self):
        path = self.tmp.file("truncated.json")
        with open(self.good) as f, open(path, "w") as out:
            out.write(f.read()[:150])
        self.assert_bad_input(path, "is not valid JSON")

    def test_missing_file(self):
        self.assert_bad_input(self.tmp.file("nonexistent.json"), "cannot read")

    def test_json_that_is_not_google_benchmark(self):
        for i, data in enumerate(([1, 2, 3], {"context": {}}, {"benchmarks": [{"real_time": 1}]},
                                  {"benchmarks": [{"name": "x", "real_time": "fast", "time_unit": "ns"}]},
                                  {"benchmarks": [{"name": "x", "real_time": 1, "time_unit": "fortnights"}]})):
            with self.subTest(data=data):
                self.assert_bad_input(write_json(self.tmp.file(f"other{i}.json"), data), "")

    def test_usage_errors(self):
        self.assertEqual(run_script("compare.py", self.good).returncode, 2)
        self.assertEqual(run_script("compare.py", self.good, self.good, "--threshold", "lots").returncode, 2)
        self.assertEqual(run_script("compare.py", self.good, self.good, "--alpha", "2").returncode, 2)


class Repetitions(WithTempDir):
    NAME = "pipe/payload:4/placement:split"

    def compare(self, base_entries, new_entries, *args, **new_context):
        base = results_file(self.tmp.file("base.json"), base_entries)
        new = results_file(self.tmp.file("new.json"), new_entries, **new_context)
        return run_script("compare.py", base, new, *args)

    def test_beyond_noise_fails_the_gate(self):
        base = [100, 102, 98, 101, 99]
        result = self.compare(repeated(self.NAME, base), repeated(self.NAME, [t * 1.6 for t in base]),
                              "--threshold", "20")
        self.assertEqual(result.returncode, 1, result.stdout)
        row = row_of(result.stdout, self.NAME)
        self.assertIn("slower, beyond noise", row)
        self.assertIn("5 vs 5 reps", row)
        self.assertIn("FAIL", row)

    def test_faster_beyond_noise_passes(self):
        base = [100, 102, 98, 101, 99]
        result = self.compare(repeated(self.NAME, base), repeated(self.NAME, [t / 2 for t in base]),
                              "--threshold", "20")
        self.assertEqual(result.returncode, 0, result.stdout)
        self.assertIn("faster, beyond noise", row_of(result.stdout, self.NAME))

    def test_a_change_the_repetitions_cannot_tell_is_gated_on_the_change_and_says_what_could_tell(self):
        # Medians 100 and 130 (+30%), samples interleaved.  The logs' pooled standard deviation is
        # 0.25896; n = 2 ((1.95996 + 0.84162) * 0.25896 / ln 1.2)^2 / (3 / pi) = 33.16: 34 each.  With 5 each
        # the smallest change found at 80% power is exp(2.80158 * 0.25896 * sqrt(2 / (5 * 3 / pi))) - 1 = 60%.
        result = self.compare(repeated(self.NAME, [100, 140, 90, 160, 95]),
                              repeated(self.NAME, [130, 100, 150, 92, 170]), "--threshold", "20")
        self.assertEqual(result.returncode, 1, result.stdout)
        row = row_of(result.stdout, self.NAME)
        self.assertIn("+30.0% FAIL within noise (p=0.6, 5 vs 5 reps; would show a change over 60%)", row)
        summary = " ".join(result.stdout[result.stdout.index("gate: FAILED"):].split())
        self.assertIn(f"{self.NAME}: +30.0%, within noise, but 5 vs 5 reps would not show a 20% change "
                      "(34 each could): the change alone gated", summary)

    def test_a_uniform_fifty_percent_slowdown_over_four_noisy_repetitions_fails(self):
        # The case of issue 13: the rank test cannot reject (120 and 160 overlap), but it could not have
        # found a 20% change either (pooled sd of the logs 0.29319: n = 42.5; a tie at 120: normal approximation).
        base = [100, 160, 80, 120]
        result = self.compare(repeated(self.NAME, base), repeated(self.NAME, [t * 1.5 for t in (80, 100, 120, 160)]),
                              "--threshold", "20")
        self.assertEqual(result.returncode, 1, result.stdout)
        self.assertIn("+50.0% FAIL within noise (p=0.15, 4 vs 4 reps; would show a change over 81%)",
                      row_of(result.stdout, self.NAME))
        self.assertIn("(43 each could)", " ".join(result.stdout.split()))

    def test_the_verdict_is_the_same_with_or_without_a_threshold(self):
        # Issue 23: "+57.3% within noise (p=0.69)" without --threshold, "FAIL cannot tell a 20% change" with it.
        # The gate may fail; the description of the data may not change.
        cases = (([100, 140, 90, 160, 95], [130, 100, 150, 92, 170]),   # underpowered for 20%
                 ([100, 101, 102, 125], [124, 126, 127, 128]),          # within noise, could tell
                 ([100, 102, 98, 101, 99], [160, 163, 157, 162, 158]),  # beyond noise
                 ([100, 101, 99], [160, 161, 159]),                     # too few to test
                 ([100], [157.3]))                                      # no repetitions
        for base, new in cases:
            with self.subTest(base=base, new=new):
                files = [repeated(self.NAME, base), repeated(self.NAME, new)]
                plain = row_of(self.compare(*files).stdout, self.NAME)
                for args in (("--threshold", "20"), ("--threshold", "70"), ("--threshold", "20", "--change-only")):
                    gated = row_of(self.compare(*files, *args).stdout, self.NAME)
                    change = plain.split("%")[0] + "%"  # name, base, new and change
                    self.assertTrue(gated.startswith(change), (plain, gated))
                    word = gated[len(change):].split()[0]
                    self.assertIn(word, ("FAIL", "ok"))
                    rest = gated[len(change):].strip()
                    rest = rest[len("ok (noise)"):] if rest.startswith("ok (noise)") else rest[len(word):]
                    self.assertEqual(rest.strip(), plain[len(change):].strip(), (plain, gated))

    def test_too_few_repetitions_cannot_tell_and_the_change_alone_gates(self):
        result = self.compare(repeated(self.NAME, [100, 101, 99]), repeated(self.NAME, [160, 161, 159]),
                              "--threshold", "20")
        self.assertEqual(result.returncode, 1, result.stdout)
        row = row_of(result.stdout, self.NAME)
        self.assertIn("cannot tell: 3 vs 3 repetitions, the rank test needs 4 each", row)
        self.assertIn("FAIL", row)

    def test_without_repetitions_it_says_it_cannot_tell(self):
        result = self.compare([benchmark(self.NAME, 100.0)], [benchmark(self.NAME, 105.0)], "--threshold", "20")
        self.assertEqual(result.returncode, 0, result.stdout)
        self.assertIn("cannot tell: no repetitions", row_of(result.stdout, self.NAME))

    def test_aggregates_only_cannot_be_rank_tested(self):
        def aggregates(mean, median):
            return [benchmark(self.NAME, mean, aggregate="mean", repetitions=5),
                    benchmark(self.NAME, median, aggregate="median", repetitions=5),
                    benchmark(self.NAME, 3.0, aggregate="stddev", repetitions=5),
                    benchmark(self.NAME, 0.03, aggregate="cv", repetitions=5)]
        result = self.compare(aggregates(101, 100), aggregates(111, 110), "--threshold", "20")
        self.assertEqual(result.returncode, 0, result.stdout)
        row = row_of(result.stdout, self.NAME)
        self.assertIn("+10.0%", row)  # medians, and cv is not read as a time
        self.assertIn("cannot tell: aggregates only", row)
        result = self.compare(aggregates(101, 100), aggregates(170, 160), "--threshold", "20")
        self.assertEqual(result.returncode, 1, result.stdout)

    def test_p99_change_when_both_have_p99(self):
        result = self.compare([benchmark(self.NAME, 100.0, p50_ns=90.0, p99_ns=200.0)],
                              [benchmark(self.NAME, 100.0, p50_ns=90.0, p99_ns=300.0)])
        self.assertIn("p99 change", result.stdout)
        self.assertIn("+50.0%", row_of(result.stdout, self.NAME))
        result = self.compare([benchmark(self.NAME, 100.0)], [benchmark(self.NAME, 100.0, p99_ns=300.0)])
        self.assertNotIn("p99 change", result.stdout)

    def test_help_states_the_repetitions_the_test_needs(self):
        result = run_script("compare.py", "--help")
        self.assertEqual(result.returncode, 0)
        self.assertIn("at least 4 repetitions in each", " ".join(result.stdout.split()))


class ContextAndMarkdown(WithTempDir):
    NAME = "pipe/payload:4/placement:split"

    def files(self, base_context, new_context, base_time=100.0, new_time=100.0):
        return (results_file(self.tmp.file("base.json"), [benchmark(self.NAME, base_time, p99_ns=200.0)],
                             **base_context),
                results_file(self.tmp.file("new.json"), [benchmark(self.NAME, new_time, p99_ns=300.0)],
                             **new_context))

    def test_two_clones_in_different_directories_are_the_same_machine(self):
        spawned = "spawned {0}/build/bin/pipe_consumer,{0}/build/bin/shm_consumer"
        base, new = self.files({"consumer": spawned.format("/home/a/ipc_bench")},
                               {"consumer": spawned.format("/tmp/clone2")})
        result = run_script("compare.py", base, new)
        self.assertIn("Context: no differences", result.stdout)
        base, new = self.files({"consumer": spawned.format("/home/a/ipc_bench")},
                               {"consumer": "command python3 ipc_consumer.py pipe"})
        head = run_script("compare.py", base, new).stdout.split("\nname ")[0]
        self.assertIn("spawned pipe_consumer,shm_consumer", head)
        self.assertIn("command python3 ipc_consumer.py pipe", head)

    def test_markdown_table_with_units_in_every_cell_and_the_machine_above(self):
        base, new = self.files({}, {}, new_time=150.0)
        md = self.tmp.file("compare.md")
        result = run_script("compare.py", base, new, "--threshold", "20", "--md", md)
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        with open(md, encoding="utf-8") as f:
            lines = f.read().splitlines()
        self.assertEqual(lines[:5], [
            "Machine: Test CPU, 2 CPUs, Linux 6.1.0",
            "",
            "| name | base | new | change | p99 change | gate | verdict |",
            "|---|---:|---:|---:|---:|---|---|",
            "| pipe/payload:4/placement:split | 100 ns | 150 ns | +50.0% | +50.0% | FAIL | cannot tell: no repetitions |",
        ])
        self.assertEqual(lines[5], "")
        self.assertTrue(lines[6].startswith("base, new: time per round trip"))

    def test_markdown_names_each_machine_when_they_differ(self):
        base, new = self.files({}, {"cpu_model": "Other CPU", "virtualization": "kvm"})
        md = self.tmp.file("machines.md")
        self.assertEqual(run_script("compare.py", base, new, "--md", md).returncode, 0)
        with open(md, encoding="utf-8") as f:
            self.assertEqual(f.readline(), "Machines: `base.json`: Test CPU, 2 CPUs, Linux 6.1.0; "
                                           "`new.json`: Other CPU, 2 CPUs, kvm, Linux 6.1.0\n")

    def test_markdown_to_a_missing_directory_is_bad_input(self):
        base, new = self.files({}, {})
        result = run_script("compare.py", base, new, "--md", self.tmp.file("no/such/x.md"))
        self.assertEqual(result.returncode, 2)
        self.assertIn("no such directory", result.stderr)
        self.assertNotIn("Traceback", result.stderr)


class WhatUsersSee(WithTempDir):
    """Issue 23: lines meant for a terminal fit 100 columns; the Markdown legend names the table's columns."""
    LONG = "unix_seqpacket/payload:1048576/placement:cross_node/rate:100000/check:full"

    def assert_fits(self, output):
        wide = [line for line in output.splitlines() if len(line) > 100]
        self.assertEqual(wide, [], output)

    def test_every_line_fits_100_columns(self):
        names = ["pipe/payload:4/placement:split", "shm_spin/payload:4/placement:split", self.LONG]
        base = results_file(self.tmp.file("base.json"),
                            [e for n in names for e in repeated(n, [100, 140, 90, 160, 95], p99_ns=300.0)]
                            + [benchmark("tcp_nodelay/payload:4/placement:split", 100.0)],
                            consumer="command " + "x" * 300, warnings="; ".join(["load average 8.00 with 2 CPUs "
                                                                                "allowed: other work competes"] * 6))
        new = results_file(self.tmp.file("new.json"),
                           [e for n in names for e in repeated(n, [130, 100, 150, 92, 170], p99_ns=320.0)]
                           + [benchmark("tcp_nodelay/payload:4/placement:split", 0.0, error_occurred=True,
                                        error_message="the consumer died: " + "a long reason " * 20)],
                           cpu_model="Another CPU with a name as long as they come " * 3)
        for args in ((base, new), (base, new, "--threshold", "20"), (base, new, new, "--threshold", "20"),
                     (base, base), (base, new, "--threshold", "20", "--change-only")):
            with self.subTest(args=args[2:]):
                result = run_script("compare.py", *args)
                self.assertIn(result.returncode, (0, 1), result.stderr)
                self.assert_fits(result.stdout)
                self.assertIn(self.LONG.split("/")[0], result.stdout)
                if new in args:
                        self.assertIn("within noise (p=0.6, 5 vs 5 reps; would show a change over 60%)",
                                  " ".join(result.stdout.split()))
        self.assert_fits(run_script("compare.py", "--help").stdout)

    def test_a_wide_name_keeps_its_verdict_on_the_line_beside_it_when_it_fits(self):
        entries = [benchmark("a/payload:4", 100.0)]
        base = results_file(self.tmp.file("short_base.json"), entries)
        new = results_file(self.tmp.file("short_new.json"), entries)
        lines = run_script("compare.py", base, new).stdout.splitlines()
        self.assertIn("a/payload:4  100 ns  100 ns   +0.0%  cannot tell: no repetitions", lines)

    def test_the_markdown_legend_names_the_columns_the_table_has(self):
        name = "pipe/payload:4/placement:split"
        plain = results_file(self.tmp.file("plain.json"), [benchmark(name, 100.0)])
        p99 = results_file(self.tmp.file("p99.json"), [benchmark(name, 110.0, p99_ns=300.0)])
        p99_too = results_file(self.tmp.file("p99_too.json"), [benchmark(name, 120.0, p99_ns=330.0)])
        for args in ((plain, plain), (p99, p99_too), (plain, plain, "--threshold", "20"),
                     (p99, p99_too, p99, "--threshold", "20"), (p99, p99_too, "--threshold", "5", "--change-only")):
            with self.subTest(args=args):
                md = self.tmp.file("legend.md")
                result = run_script("compare.py", *args, "--md", md)
                self.assertIn(result.returncode, (0, 1), result.stderr)
                with open(md, encoding="utf-8") as f:
                    lines = f.read().splitlines()
                columns = [c.strip() for c in lines[2].strip("|").split("|")]
                legend = lines[lines.index("", 3) + 1:]
                named = [n.strip() for line in legend for n in line.split(":")[0].split(",")]
                self.assertEqual(sorted(named), sorted(c for c in columns if c != "name"), legend)
                # The terminal's legend is the same.
                said = " ".join(result.stdout.split())
                for line in legend:
                    self.assertIn(line, said)


class MannWhitney(unittest.TestCase):
    @staticmethod
    def enumerated_p(x, y):
        """Two-sided exact p by listing every split of the pooled values."""
        pooled, n = x + y, len(x)

        def u(xs, ys):
            return sum(1 for a in xs for b in ys if a > b)
        observed = u(x, y)
        below = above = total = 0
        for chosen in itertools.combinations(range(len(pooled)), n):
            xs = [pooled[i] for i in chosen]
            ys = [pooled[i] for i in range(len(pooled)) if i not in chosen]
            value = u(xs, ys)
            total += 1
            below += value <= observed
            above += value >= observed
        return min(1.0, 2 * min(below, above) / total)

    def test_exact_p_matches_enumeration(self):
        rng = random.Random(5)
        for n in range(1, 6):
            for m in range(1, 6):
                x = [rng.random() for _ in range(n)]
                y = [rng.random() + rng.choice((0, 0.3)) for _ in range(m)]
                u, p, method = compare.mann_whitney(x, y)
                self.assertEqual(method, "exact")
                self.assertAlmostEqual(p, self.enumerated_p(x, y), places=12, msg=(x, y))

    def test_smallest_sample_sizes_that_can_reject(self):
        self.assertAlmostEqual(compare.smallest_p(3, 3), 0.1)
        self.assertAlmostEqual(compare.smallest_p(4, 4), 2 / 70)
        self.assertEqual(compare.repetitions_needed(0.05), 4)
        self.assertEqual(compare.repetitions_needed(0.01), 5)
        _, p, _ = compare.mann_whitney([1, 2, 3, 4], [5, 6, 7, 8])
        self.assertAlmostEqual(p, 2 / 70)
        _, p, _ = compare.mann_whitney([1, 2, 3], [4, 5, 6])
        self.assertAlmostEqual(p, 0.1)

    def test_normal_approximation_with_ties(self):
        _, p, method = compare.mann_whitney([5, 5, 5, 5], [5, 5, 5, 5])
        self.assertEqual((method, p), ("normal", 1.0))
        # Ties (2, 2 and 3, 3; one across the groups): U = 0.5, variance 16/12 * (9 - 12/56),
        # z = (|0.5 - 8| - 0.5) / sqrt(variance) = 2.0452, p = erfc(z / sqrt(2)), worked out by hand.
        u, p, method = compare.mann_whitney([1, 2, 2, 3], [3, 4, 5, 6])
        self.assertEqual((method, u), ("normal", 0.5))
        self.assertAlmostEqual(p, 0.04083, places=5)
        rng = random.Random(7)
        a = [rng.gauss(100, 5) for _ in range(30)]
        b = [rng.gauss(120, 5) for _ in range(30)]
        self.assertLess(compare.mann_whitney(a, b)[1], 1e-6)


if __name__ == "__main__":
    unittest.main()

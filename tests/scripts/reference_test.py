"""reference/ and scripts/vs_reference.py: the reference loops run, refuse bad
input in one line, and vs_reference.py pairs them with ipc_bench.

Run by ctest (tests/CMakeLists.txt); by hand:
  python3 tests/scripts/reference_test.py --ipc-bench build/rel/bin/ipc_bench
"""
import os
import re
import shutil
import subprocess
import sys
import unittest

from script_support import IPC_BENCH, SCRIPTS, TempDir, run_script

sys.path.insert(0, SCRIPTS)
import vs_reference  # noqa: E402

BIN = os.path.dirname(IPC_BENCH)


def built_with(transport):
    """Whether this tree's ipc_bench can run `transport` (--list says why not)."""
    listing = subprocess.run([IPC_BENCH, "--list"], capture_output=True, text=True, timeout=60).stdout
    entry = re.search(r"^" + re.escape(transport) + r" .*?(?=^\S|\Z)", listing, re.M | re.S)
    return entry is not None and "not available here" not in entry.group(0)
PROGRAMS = ["ref_eventfd", "ref_pipe", "ref_shm_spin", "ref_tcp_nagle", "ref_tcp_nodelay", "ref_udp",
            "ref_unix_stream"]


def run(program, *args):
    return subprocess.run([os.path.join(BIN, program), *args], capture_output=True, text=True, timeout=60)


class ReferenceLoops(unittest.TestCase):
    def test_every_loop_runs_the_round_trips_asked_for_and_prints_one_line(self):
        for program in PROGRAMS:
            for payload in ("1", "4", "3000"):
                with self.subTest(program=program, payload=payload):
                    result = run(program, "-c", "0,0" if program != "ref_shm_spin" else "0,1", "-s", payload,
                                 "-n", "200", "-w", "0")
                    self.assertEqual(result.returncode, 0, result.stderr)
                    self.assertRegex(result.stdout, rf"^name={program[4:]} payload={payload} cpus=0,[01] "
                                                    r"round_trips=200 mean_ns=[0-9.]+\n$")

    def test_bad_input_is_one_line_and_exit_two(self):
        for args, expected in ((("-s", "0"), "-s: not a number from 1"), (("-s", "70000"), "to 65507"),
                               (("-c", "0"), "-c: expected two CPU numbers"), (("-x",), "unknown option"),
                               (("-n", "many"), "-n: not a number")):
            with self.subTest(args=args):
                result = run("ref_udp", *args)
                self.assertEqual(result.returncode, 2)
                self.assertEqual(result.stdout, "")
                self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)
                self.assertIn(expected, result.stderr)


class VsReference(unittest.TestCase):
    def test_one_round_prints_a_ratio_per_pair(self):
        result = run_script("vs_reference.py", "--bin", BIN, "--rounds", "1", "--ms", "20", "-t", "pipe,shm_spin")
        self.assertEqual(result.returncode, 0, result.stderr)
        rows = {(line.split()[0], line.split()[3]): line for line in result.stdout.splitlines()[3:-2]}
        # shm_spin spins: never on one CPU, as ipc_bench skips it there.
        self.assertEqual(set(rows), {("pipe", "split"), ("pipe", "same"), ("shm_spin", "split")})
        for line in rows.values():
            self.assertRegex(line, r" [0-9]+\.[0-9]{2} +[0-9.]+-[0-9.]+$")

    @unittest.skipUnless(shutil.which("ddsperf"), "no ddsperf (Debian: cyclonedds-tools)")
    @unittest.skipUnless(built_with("cyclonedds"), "ipc_bench built without cyclonedds")
    def test_cyclonedds_is_held_against_ddsperf(self):
        result = run_script("vs_reference.py", "--bin", BIN, "--rounds", "1", "--ms", "20", "-t", "cyclonedds", "-p",
                            "64", "--placement", "split")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stdout, r"\ncyclonedds +64 B +split +[0-9]+ +[0-9.]+ [nu]s +[0-9.]+ [nu]s +"
                                        r"[0-9]+\.[0-9]{2} +[0-9.]+-[0-9.]+\n")
        self.assertIn("the reference is ddsperf ping / pong", result.stdout)

    def test_without_ddsperf_cyclonedds_is_skipped_with_the_reason(self):
        tmp = TempDir()
        self.addCleanup(tmp.cleanup)
        python = os.path.join(tmp.path, "python3")
        os.symlink(sys.executable, python)
        env = dict(os.environ, PATH=tmp.path)  # no ddsperf there
        script = os.path.join(SCRIPTS, "vs_reference.py")
        common = [python, script, "--bin", BIN, "--rounds", "1", "--ms", "20", "--placement", "same"]
        alone = subprocess.run(common + ["-t", "cyclonedds"], capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual(alone.returncode, 2, alone.stderr)
        self.assertEqual(alone.stderr.strip().splitlines(),
                         ["vs_reference.py: nothing to run: cyclonedds skipped: no ddsperf on PATH (Debian: "
                          "cyclonedds-tools)"])
        beside = subprocess.run(common + ["-t", "pipe,cyclonedds"], capture_output=True, text=True, env=env,
                                timeout=60)
        self.assertEqual(beside.returncode, 0, beside.stderr)
        self.assertIn("vs_reference.py: cyclonedds skipped: no ddsperf on PATH (Debian: cyclonedds-tools)",
                      beside.stderr)
        self.assertRegex(beside.stdout, r"\npipe +4 B +same ")
        self.assertNotIn("cyclonedds", beside.stdout)

    def test_bad_input_is_one_line_and_exit_two(self):
        for args, expected in ((("-t", "zmq_tcp"), "no reference loop for zmq_tcp"),
                               (("--placement", "none"), "only split or same"),
                               (("--placement", "both"), "not a placement of ipc_bench"),
                               (("--cpus", "0,0", "--placement", "split"), "split needs two CPUs"),
                               (("--bin", "/nonexistent"), "no ipc_bench in /nonexistent"),
                               (("-p", "4KB"), "'4KB' is not a size"), (("-p", "0"), "'0' is not a size"),
                               (("-p", "1M", "-t", "udp"), "1 MiB: ref_udp: -s: not a number from 1 to 65507"),
                               (("-t", "shm_spin", "--placement", "same"), "nothing to run")):
            with self.subTest(args=args):
                result = run_script("vs_reference.py", "--bin", BIN, "--rounds", "1", "--ms", "20", *args)
                self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
                lines = [line for line in result.stderr.splitlines() if not line.startswith(("usage:", "  "))]
                self.assertEqual(len(lines), 1, result.stderr)
                self.assertIn(expected, lines[0])
                if "(there are:" not in lines[0]:  # the list of the loops built is as long as it is
                    self.assertLessEqual(len(lines[0]), 100, lines[0])

    def test_payloads_as_ipc_bench_takes_them(self):
        # parse_size in src/ipc/parse.cpp: digits, at least 1, K or M in either case for KiB or MiB.
        self.assertEqual(vs_reference.sizes("4"), [4])
        self.assertEqual(vs_reference.sizes("4,4K,4k,1M,1m,65507"), [4, 4096, 1 << 20, 65507])
        for bad in ("", "0", "0K", "-5", "+5", "abc", "4KB", "K", "4 K", " 4", "4x", "1.5K", "4,,8"):
            with self.subTest(bad=bad):
                with self.assertRaises(vs_reference.argparse.ArgumentTypeError):
                    vs_reference.sizes(bad)
        result = run_script("vs_reference.py", "--bin", BIN, "--rounds", "1", "--ms", "20", "-t", "pipe", "-p", "4K",
                            "--placement", "same")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stdout, r"\npipe +4 KiB +same +[0-9]+ ")

    def test_the_placements_offered_are_placements_ipc_bench_accepts(self):
        help_text = " ".join(run_script("vs_reference.py", "--help").stdout.split())
        offered = re.search(r"--placement LIST (.*?) \(default", help_text)[1]
        names = set(re.findall(r"[a-z_]+", re.sub(r"\(.*?\)", "", offered))) - {"or"}
        self.assertEqual(names, {"split", "same"}, offered)
        ipc_help = subprocess.run([IPC_BENCH, "--help"], capture_output=True, text=True).stdout
        known = set(re.findall(r"[a-z_]+", ipc_help[ipc_help.index("--placement"):ipc_help.index("--cpus")]))
        self.assertLessEqual(names, known)
        self.assertEqual(set(vs_reference.IPC_BENCH_PLACEMENTS) - known, set(), "the script's list is ipc_bench's")

    def test_output_of_ipc_bench_that_is_not_its_json_is_one_line_and_exit_two(self):
        tmp = TempDir()
        self.addCleanup(tmp.cleanup)
        for ref in ("ref_pipe",):
            os.symlink(os.path.join(BIN, ref), os.path.join(tmp.path, ref))
        fake = os.path.join(tmp.path, "ipc_bench")
        for body, expected in (('[1, 2]', "no \"benchmarks\" list"),
                               ('{"benchmarks": [{"name": "pipe", "real_time": NaN, "time_unit": "ns"}]}', "is nan"),
                               ('{"benchmarks": [{"name": "pipe", "real_time": 0, "time_unit": "ns"}]}', "is 0 ns"),
                               ('{"benchmarks": []}', "0 results where one"),
                               ("[" * 100000 + "]" * 100000, "nested too deeply")):
            with self.subTest(expected=expected):
                with open(os.path.join(tmp.path, "body.json"), "w") as f:
                    f.write(body)
                with open(fake, "w") as f:  # writes body.json where --json says
                    f.write(f"#!/bin/sh\nwhile [ \"$1\" != --json ]; do shift; done\ncp {tmp.path}/body.json \"$2\"\n")
                os.chmod(fake, 0o755)
                result = run_script("vs_reference.py", "--bin", tmp.path, "--rounds", "1", "--ms", "20", "-t", "pipe",
                                    "--placement", "same")
                self.assertEqual(result.returncode, 2, result.stderr)
                lines = [line for line in result.stderr.splitlines() if not line.startswith("round ")]
                self.assertEqual(len(lines), 1, result.stderr)
                self.assertIn(expected, lines[0])
                self.assertNotIn("Traceback", result.stderr)

if __name__ == "__main__":
    unittest.main()

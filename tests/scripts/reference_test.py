"""reference/ and scripts/vs_reference.py: the reference loops run, refuse bad
input in one line, and vs_reference.py pairs them with ipc_bench.

Run by ctest (tests/CMakeLists.txt); by hand:
  python3 tests/scripts/reference_test.py --ipc-bench build/rel/bin/ipc_bench
"""
import os
import subprocess
import unittest

from script_support import IPC_BENCH, run_script

BIN = os.path.dirname(IPC_BENCH)
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
        rows = {tuple(line.split()[:2]): line for line in result.stdout.splitlines()[2:-1]}
        # shm_spin spins: never on one CPU, as ipc_bench skips it there.
        self.assertEqual(set(rows), {("pipe", "split"), ("pipe", "same"), ("shm_spin", "split")})
        for line in rows.values():
            self.assertRegex(line, r" [0-9]+\.[0-9]{2} +[0-9.]+-[0-9.]+$")

    def test_bad_input_is_one_line_and_exit_two(self):
        for args, expected in ((("-t", "zmq_tcp"), "no reference loop for zmq_tcp"),
                               (("--placement", "none"), "split or same"),
                               (("--cpus", "0,0"), "split needs two CPUs"),
                               (("--bin", "/nonexistent"), "no ipc_bench in /nonexistent")):
            with self.subTest(args=args):
                result = run_script("vs_reference.py", "--bin", BIN, *args)
                self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
                self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)
                self.assertIn(expected, result.stderr)


if __name__ == "__main__":
    unittest.main()

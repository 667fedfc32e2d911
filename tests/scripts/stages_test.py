#!/usr/bin/env python3
"""scripts/lib/stages.sh, the stage runner of scripts/test.sh: a failing stage
does not hide the later ones, and the summary says what each stage did.

Run by ctest (tests/CMakeLists.txt); by hand:
  python3 tests/scripts/stages_test.py --ipc-bench build/bin/ipc_bench
"""
import os
import subprocess
import unittest

from script_support import REPO  # also takes --ipc-bench off the command line

STAGES = os.path.join(REPO, "scripts", "lib", "stages.sh")


def run(body):
    """Runs a bash script that sources stages.sh and then `body`."""
    script = f"set -euo pipefail\nsource {STAGES}\n{body}\n"
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)


class Stages(unittest.TestCase):
    def test_a_failed_stage_does_not_hide_the_later_ones(self):
        result = run("""
first() { echo ran first; }
second() { false; echo not reached; }
third() { echo ran third; }
stage first first
stage second second
stage third third
stages_summary""")
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("ran first", result.stdout)
        self.assertIn("ran third", result.stdout)
        self.assertNotIn("not reached", result.stdout, "errexit was off inside the stage")
        lines = result.stderr.split("== summary\n", 1)[1].splitlines()
        self.assertEqual([line.split()[0] for line in lines], ["first", "second", "third"])
        self.assertTrue(lines[0].endswith("passed"), lines[0])
        self.assertIn("FAILED (exit 1)", lines[1])
        self.assertTrue(lines[2].endswith("passed"), lines[2])

    def test_a_skipped_stage_says_why_and_does_not_fail_the_run(self):
        result = run("""
cross() { skip "no cross compiler here"; echo not reached; }
stage cross cross
stages_summary""")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertNotIn("not reached", result.stdout)
        summary = result.stderr.split("== summary\n", 1)[1]
        self.assertIn("skipped: no cross compiler here", summary)

    def test_every_stage_line_has_its_time(self):
        result = run("quick() { :; }\nstage quick quick\nstages_summary")
        self.assertEqual(result.returncode, 0, result.stderr)
        line = result.stderr.split("== summary\n", 1)[1].splitlines()[0]
        self.assertRegex(line, r"^quick +\d+m\d\ds  passed$")

    def test_an_exit_inside_a_stage_ends_only_that_stage(self):
        result = run("""
dies() { exit 3; }
after() { echo after; }
stage dies dies
stage after after
stages_summary""")
        self.assertEqual(result.returncode, 1)
        self.assertIn("after", result.stdout)
        self.assertIn("FAILED (exit 3)", result.stderr)


if __name__ == "__main__":
    unittest.main()

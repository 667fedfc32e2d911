"""Executable documentation: the shell examples of README.md and docs/*.md run, and their exit status and
the shape of their output are checked, so that an example gone stale fails here.

An example is a fenced block marked `sh`, or an unmarked block whose first line starts with `$ ` (a
transcript: the command, then what it printed, checked against what it prints now).  In the Markdown
source, the line before a block may say
  <!-- not run: REASON -->   the block is not run, for REASON (a second machine, Windows, the suite itself)
  <!-- setup: COMMAND -->    COMMAND runs first: a file the example takes from elsewhere
An unmarked block that starts like a command is refused: it would be an example that nothing runs.

Each document runs in a scratch directory laid out as the repository's root, where its examples run one
command line at a time, in order (so one block's --json file is the next block's input), each after the
variable assignments of the lines before it, under bash with pipefail:
  build/release/bin/  the test tree's executables; ipc_bench through a wrapper that shortens the run
  scripts/            the repository's, but bench.sh runs the test tree's ipc_bench (what bench.sh runs
                      once it has built build/release, here already built)
  docs/images/        empty, so that an example writing there never replaces the repository's pictures
Shortened, so that the whole takes seconds: ipc_bench runs at most SHORT_N timed round trips per benchmark
(a larger -n becomes SHORT_N; a run without -n gets it), warms up for SHORT_WARMUP round trips where the
example does not say, repeats at most SHORT_REPETITIONS times, and vs_reference.py runs
VS_REFERENCE_SHORT (one round of 20 ms batches, one blocking and one spinning transport).

Run by ctest (tests/CMakeLists.txt); by hand:
  python3 tests/scripts/doc_examples_test.py --ipc-bench build/test-release/bin/ipc_bench
"""
import glob
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import unittest

from script_support import IPC_BENCH, PNG_MAGIC, REPO, SCRIPTS, TempDir

sys.path.insert(0, SCRIPTS)
from bench_json import BadInput, load  # noqa: E402

DOCS = ["README.md"] + sorted(os.path.relpath(p, REPO) for p in glob.glob(os.path.join(REPO, "docs", "*.md")))
SHORT_N = 200
SHORT_WARMUP = 100
# The fewest repetitions with which compare.py's rank test can tell at alpha 0.05.
SHORT_REPETITIONS = 4
VS_REFERENCE_SHORT = ["--rounds", "1", "--ms", "20", "-t", "pipe,shm_spin"]
WIDTH = 100
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```[ \t]*$", re.S | re.M)
MARK = re.compile(r"<!--\s*(not run|setup):\s*(.*?)\s*-->", re.S)
# How a command starts that a reader would type: an unmarked block starting so is an example nothing runs.
COMMAND_START = re.compile(r"^(\S*\$ |[\w ]+\$ |build/|scripts/|cmake |ipc_bench(\.exe)? |\w+_consumer )")
# The executables of this repository, which an example must call by a path a newcomer has.
OUR_PROGRAMS = re.compile(r"^(ipc_bench|\w+_consumer|ref_\w+)(\.exe)?$")


class Block:
    def __init__(self, doc, line, lang, text, mark):
        self.doc, self.line, self.lang, self.text, self.mark = doc, line, lang, text, mark

    @property
    def where(self):
        return f"{self.doc}:{self.line}"

    @property
    def transcript(self):
        return not self.lang and self.text.startswith("$ ")


def blocks(doc):
    """Every fenced block of `doc`, with the marker on the line before it (("not run"|"setup", text) or None)."""
    with open(os.path.join(REPO, doc), encoding="utf-8") as f:
        text = f.read()
    found = []
    for m in BLOCK.finditer(text):
        before = text[:m.start()].rstrip("\n").rsplit("\n", 1)[-1]
        mark = MARK.fullmatch(before.strip())
        found.append(Block(doc, text.count("\n", 0, m.start()) + 1, m.group(1), m.group(2),
                           (mark.group(1), mark.group(2)) if mark else None))
    return found


def examples(doc):
    return [b for b in blocks(doc) if b.lang == "sh" or b.transcript]


def command_lines(block):
    """The commands of a block (a `\\` continues a line): in a transcript the `$ ` lines, else every line
    that is not a comment, its prompt (`hostA$ `) left out."""
    lines, pending = [], ""
    for raw in block.text.splitlines():
        if block.transcript:
            if not raw.startswith("$ "):
                continue
            raw = raw[2:]
        line = pending + re.sub(r"^[\w-]+\$ ", "", raw)
        if line.endswith("\\"):
            pending = line[:-1]
            continue
        pending = ""
        if line.strip() and not line.lstrip().startswith("#"):
            lines.append(line.strip())
    return lines


def transcript_output(block):
    """What a transcript says its command printed: the lines after the `$ ` line."""
    return block.text.split("\n", 1)[1].rstrip("\n").splitlines()


def normalised(line):
    return " ".join(line.split())


# --- the scratch directory -----------------------------------------------------

WRAPPER = '''#!{python}
"""ipc_bench, shortened for the documentation's examples (tests/scripts/doc_examples_test.py)."""
import os, sys
REAL = {real!r}
args = sys.argv[1:]
informational = any(a in ("--list", "--help", "-h") for a in args)
counted = False
for i, a in enumerate(args):
    if a in ("-n", "--iterations") and i + 1 < len(args) and args[i + 1].isdigit():
        args[i + 1] = str(min(int(args[i + 1]), {n}))
        counted = True
    if a.startswith("--benchmark_repetitions="):
        args[i] = "--benchmark_repetitions=" + str(min(int(a.split("=", 1)[1]), {reps}))
if not informational:
    if not counted:
        args += ["-n", "{n}"]
    if "--warmup" not in args:
        args += ["--warmup", "{warmup}"]
os.execv(REAL, [REAL] + args)
'''

VS_REFERENCE = '''#!/bin/sh
# scripts/vs_reference.py, shortened (tests/scripts/doc_examples_test.py): the last of a repeated option wins.
exec {python} "$(dirname "$0")/vs_reference.real.py" "$@" {short}
'''

BENCH_SH = '''#!/bin/sh
# scripts/bench.sh once build/release is built: its arguments to ipc_bench.
exec "$(dirname "$0")/../build/release/bin/ipc_bench" "$@"
'''


def executable(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)


def sandbox(root):
    """Lays out `root` as the repository's root for the examples (see the module's help)."""
    real_bin = os.path.dirname(os.path.abspath(IPC_BENCH))
    bin_dir = os.path.join(root, "build", "release", "bin")
    os.makedirs(bin_dir)
    for name in os.listdir(real_bin):
        if name != "ipc_bench":
            os.symlink(os.path.join(real_bin, name), os.path.join(bin_dir, name))
    executable(os.path.join(bin_dir, "ipc_bench"), WRAPPER.format(
        python=sys.executable, real=os.path.abspath(IPC_BENCH), n=SHORT_N, warmup=SHORT_WARMUP, reps=SHORT_REPETITIONS))
    scripts = os.path.join(root, "scripts")
    os.makedirs(scripts)
    for name in os.listdir(SCRIPTS):
        if name not in ("bench.sh", "vs_reference.py"):
            os.symlink(os.path.join(SCRIPTS, name), os.path.join(scripts, name))
    executable(os.path.join(scripts, "bench.sh"), BENCH_SH)
    # vs_reference.py finds build/release/bin from where it is: a copy, not a link, beside the links.
    shutil.copy(os.path.join(SCRIPTS, "vs_reference.py"), os.path.join(scripts, "vs_reference.real.py"))
    executable(os.path.join(scripts, "vs_reference.py"),
               VS_REFERENCE.format(python=shlex.quote(sys.executable), short=shlex.join(VS_REFERENCE_SHORT)))
    os.makedirs(os.path.join(root, "docs", "images"))


# --- running one command -------------------------------------------------------

class Ran:
    def __init__(self, command, words, result, cwd):
        self.command, self.words, self.cwd = command, words, cwd
        self.status, self.stdout, self.stderr = result.returncode, result.stdout, result.stderr

    @property
    def program(self):
        return os.path.basename(self.words[0])

    def option(self, name):
        """The value after `name` (or of `name=value`), or None."""
        for i, w in enumerate(self.words):
            if w == name and i + 1 < len(self.words):
                return self.words[i + 1]
            if w.startswith(name + "="):
                return w[len(name) + 1:]
        return None

    def path(self, name):
        return os.path.join(self.cwd, name)

    @property
    def stdout_redirected(self):
        return any(w == ">" or w.startswith(">") and not w.startswith(">&") for w in self.words)

    def describe(self):
        return f"`{self.command}` exited {self.status}\nstdout:\n{self.stdout[-2000:]}\nstderr:\n{self.stderr[-2000:]}"


def expanded(command, variables):
    """`command` with $NAME and ${NAME} of earlier assignments written out, as bash would split them."""
    return re.sub(r"\$\{?([A-Za-z_]\w*)\}?", lambda m: variables.get(m.group(1), m.group(0)), command)


def run_line(command, cwd):
    """Runs one command line in `cwd` under bash with pipefail; returns a Ran."""
    result = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=cwd, capture_output=True, text=True,
                            timeout=240)
    words = shlex.split(command, comments=True)
    return Ran(command, words, result, cwd)


# --- what each program's output must look like ----------------------------------

SUMMARY_HEADER = re.compile(r"^transport\s+payload\s+placement\b")


def transports_asked(ran):
    listed = ran.option("-t") or ran.option("--transports")
    return set(listed.split(",")) if listed else None


def check_ipc_bench(test, ran):
    test.assertEqual(ran.status, 0, ran.describe())
    if "--list" in ran.words:
        test.assertIn("pipe", ran.stdout.split(), ran.describe())
    elif not ran.stdout_redirected:
        test.assertTrue(any(SUMMARY_HEADER.match(line) for line in ran.stdout.splitlines()),
                        "no summary table:\n" + ran.describe())
    for line in ran.stdout.splitlines():
        test.assertLessEqual(len(line), WIDTH, line)
    json_path = ran.option("--json")
    if json_path:
        try:
            _, results = load(ran.path(json_path))
        except BadInput as e:
            test.fail(f"{ran.command}: {e}")
        test.assertTrue(results, f"{json_path} holds no result")
        asked = transports_asked(ran)
        for result in results:
            test.assertIsNone(result.error, result.name)
            if asked:
                test.assertIn(result.name.split("/")[0], asked)


def check_compare(test, ran):
    gated = ran.option("--threshold") is not None
    test.assertIn(ran.status, (0, 1) if gated else (0,), ran.describe())
    lines = ran.stdout.splitlines()
    test.assertTrue(any(re.match(r"^name\s+base\s+new\s+change\b", line) for line in lines), ran.describe())
    for line in lines:
        test.assertLessEqual(len(line), WIDTH, line)
    if gated:
        # The gate decides on data measured here: either word, but the one its status says.
        test.assertTrue(lines[-1].startswith("gate: passed: " if ran.status == 0 else "gate: FAILED: ") or
                        ran.status == 1 and any(line.startswith("gate: FAILED: ") for line in lines), ran.describe())
    md = ran.option("--md")
    if md:
        with open(ran.path(md), encoding="utf-8") as f:
            test.assertIn("| name |", f.read())


def check_plot(test, ran):
    test.assertEqual((ran.status, ran.stderr), (0, ""), ran.describe())
    out = ran.path(ran.option("-o"))
    with open(out, "rb") as f:
        picture = f.read()
    test.assertGreater(len(picture), 1000)
    if out.endswith(".png"):
        test.assertTrue(picture.startswith(PNG_MAGIC), out)
    else:
        test.assertIn(b"<svg", picture[:1000], out)


def check_vs_reference(test, ran):
    test.assertEqual(ran.status, 0, ran.describe())
    lines = [normalised(line) for line in ran.stdout.splitlines()]
    header = "transport payload placement round trips ipc_bench reference ratio min-max"
    test.assertIn(header, lines, ran.describe())
    rows = lines[lines.index(header) + 1:]
    test.assertTrue(rows and re.match(r"^\w+ \d+ \w+ \w+ \d+ ", rows[0]), ran.describe())


def check_jq(test, ran):
    test.assertEqual(ran.status, 0, ran.describe())
    target = ran.words[ran.words.index(">") + 1] if ">" in ran.words else None
    if target:
        with open(ran.path(target), encoding="utf-8") as f:
            data = json.load(f)
        test.assertTrue(data.get("benchmarks"), f"{target} holds no benchmark")


CHECKS = {"ipc_bench": check_ipc_bench, "bench.sh": check_ipc_bench, "compare.py": check_compare,
          "plot.py": check_plot, "vs_reference.py": check_vs_reference, "jq": check_jq}


# --- transcripts: what the docs show against what runs print now ------------------

def summary_rows(lines):
    """(transport, payload, placement, skipped) of each row under the summary's header."""
    start = next(i for i, line in enumerate(lines) if SUMMARY_HEADER.match(line))
    rows = []
    for line in lines[start + 1:]:
        m = re.match(r"^(\w+)\s+(\d+(?:\.\d+)? (?:B|KiB|MiB))\s+(\w+)\s+(\S+)", line)
        if not m:
            break
        rows.append((m[1], m[2], m[3], m[4].startswith("skipped")))
    return start, rows


def check_summary_transcript(test, shown, ran, stderr_shown):
    """The doc's ipc_bench console against a run's: the same header and legend, the same rows in the same
    order (skipped where it says skipped), the same reasons below, its stderr lines of the same kinds."""
    out = ran.stdout.splitlines()
    shown_start, shown_rows = summary_rows(shown)
    out_start, out_rows = summary_rows(out)
    test.assertEqual(normalised(shown[shown_start]), normalised(out[out_start]), "the summary's header")
    test.assertEqual(shown_rows, out_rows, "the summary's rows")
    legend = lambda lines, start: " ".join(l.strip() for l in lines[:start] if l.strip()).split("Round trips:", 1)
    test.assertEqual(legend(shown, shown_start)[-1], legend(out, out_start)[-1], "the legend above the table")
    test.assertTrue(out[0].startswith("ipc_bench ") and shown[0].startswith("ipc_bench "))
    floor = re.compile(r"^CPUs \d+,\d+: floor cache line ")
    test.assertEqual(sum(bool(floor.match(l)) for l in shown), sum(bool(floor.match(l)) for l in out),
                     "a floor line per CPU pair")
    after = lambda lines, start, n: " ".join(l.strip() for l in lines[start + 1 + n:] if l.strip())
    test.assertEqual(after(shown, shown_start, len(shown_rows)), after(out, out_start, len(out_rows)),
                     "the reasons below the table")
    for line in out:
        test.assertLessEqual(len(line), WIDTH, line)
    # stderr: the machine's cautions are its own; any other line is the same here.
    stderr = ran.stderr.splitlines()
    for line in stderr_shown or []:
        if line.startswith("ipc_bench: ") and not line.startswith("ipc_bench: caution: "):
            test.assertIn(line, stderr, "a stderr line the README shows")
    for line in stderr_shown or []:
        test.assertLessEqual(len(line), WIDTH, line)
    for line in stderr:
        test.assertTrue(line.startswith(("ipc_bench: ", "  ")), line)
        test.assertLessEqual(len(line), WIDTH, line)


def check_compare_transcript(test, shown, ran, _stderr):
    """The doc's compare.py output against a run's: the same context line, header, rows and legend; the
    verdicts, the warnings and the gate's word are the data's."""
    out = ran.stdout.splitlines()
    context = lambda lines: " ".join(l.strip() for l in lines[:lines.index("")])
    test.assertEqual(context(shown), context(out), "the context line (the count of keys compared)")
    header = lambda lines: next(i for i, l in enumerate(lines) if l.startswith("name "))
    test.assertEqual(normalised(shown[header(shown)]), normalised(out[header(out)]), "the table's columns")
    names = lambda lines: [l.split()[0] for l in lines[header(lines) + 1:] if re.match(r"^\w+/payload:", l)]
    test.assertEqual(names(shown), names(out), "the rows")
    legend = lambda lines: [l for l in lines if re.match(r"^(base, new|change|p99 change|gate|verdict): ", l)
                            and not re.match(r"^gate: (passed|FAILED): ", l)]
    test.assertEqual(legend(shown), legend(out), "the legend")
    # The gate's word is the data's; a summary of it, either word, is there as in the page.
    summary = lambda lines: [l for l in lines if re.match(r"^gate: (passed|FAILED): ", l)]
    test.assertEqual(len(summary(shown)), 1, "the page shows the gate's summary")
    test.assertEqual(len(summary(out)), 1, ran.describe())


TRANSCRIPTS = {"ipc_bench": check_summary_transcript, "compare.py": check_compare_transcript}


# --- the tests -----------------------------------------------------------------

class Markup(unittest.TestCase):
    """What makes an example run: its block says sh, or it is a transcript; what is left out says why."""

    def test_no_unmarked_block_starts_like_a_command(self):
        for doc in DOCS:
            for block in blocks(doc):
                if not block.lang and not block.transcript:
                    with self.subTest(where=block.where):
                        self.assertIsNone(COMMAND_START.match(block.text),
                                          "a command in an unmarked block: mark it ```sh (or say why it is not run)")

    def test_every_left_out_example_says_why(self):
        for doc in DOCS:
            for block in examples(doc):
                if block.mark and block.mark[0] == "not run":
                    with self.subTest(where=block.where):
                        self.assertGreater(len(block.mark[1].split()), 2, "a reason in a few words")

    def test_our_programs_are_called_by_a_path_a_newcomer_has(self):
        for doc in DOCS:
            for block in examples(doc):
                for command in command_lines(block):
                    words = [w for w in shlex.split(command, comments=True) if "=" not in w or w.startswith("-")]
                    for word in words[:1]:
                        with self.subTest(where=block.where, command=command):
                            if OUR_PROGRAMS.match(word):
                                self.fail(f"{word} without a path: build/release/bin/{word}")


class Examples(unittest.TestCase):
    def run_doc(self, doc):
        tmp = TempDir()
        self.addCleanup(tmp.cleanup)
        sandbox(tmp.path)
        variables = {}
        found = blocks(doc)
        for index, block in enumerate(found):
            if not (block.lang == "sh" or block.transcript) or block.mark and block.mark[0] == "not run":
                continue
            if block.mark:  # setup
                with self.subTest(where=block.where, setup=block.mark[1]):
                    setup = run_line(expanded(block.mark[1], variables), tmp.path)
                    self.assertEqual(setup.status, 0, setup.describe())
            for command in command_lines(block):
                assignment = re.fullmatch(r"([A-Za-z_]\w*)=(.*)", command)
                if assignment:
                    variables[assignment[1]] = shlex.split(assignment[2])[0]
                    continue
                self.run_command(block, command, expanded(command, variables), tmp.path, found[index + 1:])

    def run_command(self, block, command, line, cwd, later):
        cpus = re.search(r"--cpus (\d+),(\d+)", line)
        with self.subTest(where=block.where, command=command):
            if cpus and not {int(c) for c in cpus.groups()} <= os.sched_getaffinity(0):
                self.skipTest(f"needs CPUs {cpus[1]},{cpus[2]}, not both allowed here")
            ran = run_line(line, cwd)
            check = CHECKS.get(ran.program)
            self.assertIsNotNone(check, f"no check for {ran.program}: add one to this test")
            check(self, ran)
            if block.transcript:
                self.assertIn(ran.program, TRANSCRIPTS, f"no transcript check for {ran.program}")
                # The unmarked block right after a transcript, when its lines are the program's, is its stderr.
                stderr = later[0].text.splitlines() if later and not later[0].lang and \
                    later[0].text.startswith(ran.program + ": ") else []
                TRANSCRIPTS[ran.program](self, transcript_output(block), ran, stderr)


def _doc_test(doc):
    def test(self):
        self.run_doc(doc)
    test.__doc__ = f"every example of {doc} that is run runs as it says"
    return test


for _doc in DOCS:
    setattr(Examples, "test_" + re.sub(r"\W", "_", _doc), _doc_test(_doc))


if __name__ == "__main__":
    if shutil.which("bash") is None:
        sys.exit("doc_examples_test.py: needs bash")
    unittest.main()

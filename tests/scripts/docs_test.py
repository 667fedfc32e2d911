"""README.md and docs/*.md against the repository: every path points inside it,
and docs/ci.md's workflow uses the packages, build tree and defaults that the
scripts and ipc_bench really use.

Run by ctest (tests/CMakeLists.txt); by hand:
  python3 tests/scripts/docs_test.py --ipc-bench build/rel/bin/ipc_bench
"""
import glob
import os
import re
import subprocess
import unittest

from script_support import IPC_BENCH, REPO

DOCS = [os.path.join(REPO, "README.md")] + sorted(glob.glob(os.path.join(REPO, "docs", "*.md")))
LINK = re.compile(r"\]\(([^)\s]+)\)")
# A relative path written out of a link: one that climbs (../x) or one that
# starts at a top-level directory of the repository (scripts/compare.py).
TOP_DIRS = "benches|consumers|docs|include|reference|scripts|src|tests"
PATH = re.compile(rf"(?<![\w/.$-])((?:\.\./)+[\w.-][\w./-]*|(?:{TOP_DIRS})/[\w./-]*[\w])")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def inside_repo(path):
    real = os.path.realpath(path)
    return real == REPO or real.startswith(REPO + os.sep)


def setup_sh(expression):
    """The value of a shell expression after sourcing scripts/lib/setup.sh, the one place packages are listed."""
    script = f'source "{REPO}/scripts/lib/setup.sh"; echo {expression}'
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True).stdout.split()


class Paths(unittest.TestCase):
    def test_every_link_resolves_inside_the_repository(self):
        for doc in DOCS:
            for target in LINK.findall(read(doc)):
                if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                    continue  # a URL or an anchor in the same page
                path = os.path.join(os.path.dirname(doc), target.split("#", 1)[0])
                with self.subTest(doc=os.path.relpath(doc, REPO), link=target):
                    self.assertTrue(inside_repo(path), "points outside the repository")
                    self.assertTrue(os.path.exists(path), "does not exist")

    def test_every_path_in_the_text_exists_inside_the_repository(self):
        for doc in DOCS:
            text = LINK.sub("]()", read(doc))  # links: see above
            for path in set(PATH.findall(text)):
                # From the repository's root (as the commands are written), or else from the document.
                candidates = [os.path.join(REPO, path), os.path.join(os.path.dirname(doc), path)]
                with self.subTest(doc=os.path.relpath(doc, REPO), path=path):
                    self.assertTrue(any(inside_repo(c) and os.path.exists(c) for c in candidates),
                                    "no such path inside the repository")


def github_anchor(heading, seen):
    """The anchor GitHub gives `heading`: lower case, punctuation but - and _ left out, spaces as -, and -1,
    -2 after a repeated one."""
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
    count = seen.get(slug, 0)
    seen[slug] = count + 1
    return f"{slug}-{count}" if count else slug


class Contents(unittest.TestCase):
    """docs/methodology.md and docs/protocol.md open with a table of contents: every ## and ### heading, in
    order, each linked to its anchor."""

    def test_every_fence_is_closed(self):
        for doc in DOCS:
            with self.subTest(doc=os.path.relpath(doc, REPO)):
                fences = re.findall(r"^ *```", read(doc), re.M)
                self.assertEqual(len(fences) % 2, 0, "a code block left open hides the headings after it")

    def test_the_contents_list_every_heading_in_order(self):
        for name in ("methodology.md", "protocol.md"):
            text = read(os.path.join(REPO, "docs", name))
            outside = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
            seen = {}
            expected = []
            for level, heading in re.findall(r"^(#{1,6}) (.+)$", outside, re.M):
                anchor = github_anchor(heading, seen)
                if len(level) in (2, 3) and heading != "Contents":
                    expected.append(("  " if len(level) == 3 else "") + f"- [{heading}](#{anchor})")
            listed = re.search(r"^## Contents\n\n(.*?)\n\n", text, re.S | re.M)
            with self.subTest(doc=name):
                self.assertIsNotNone(listed, "no ## Contents")
                self.assertEqual(listed.group(1).splitlines(), expected)


class CiWorkflow(unittest.TestCase):
    """docs/ci.md's workflow must run as written on a fresh runner."""

    @classmethod
    def setUpClass(cls):
        cls.ci = read(os.path.join(REPO, "docs", "ci.md"))

    def test_the_apt_line_installs_every_package_the_build_needs(self):
        (line,) = re.findall(r"apt-get install -y ([^\n]+)", self.ci)
        # jq: the workflow's own, for its tracker file.
        self.assertEqual(set(line.split()), set(setup_sh('"${packages[@]}"')) | {"jq"},
                         "docs/ci.md's apt line differs from the packages of scripts/lib/setup.sh")

    def test_ipc_bench_runs_from_the_tree_the_workflow_builds(self):
        trees = set(re.findall(r"cmake -S \. -B (\S+)", self.ci))
        self.assertEqual(trees, set(setup_sh('"${release_tree#$repo/}"')),
                         "docs/ci.md builds elsewhere than scripts/bench.sh")
        for doc in DOCS:
            for used in re.findall(r"\b(build/[\w.-]+)/bin/", read(doc)):
                with self.subTest(doc=os.path.relpath(doc, REPO)):
                    self.assertIn(used, trees)

    def test_the_warm_up_stated_is_ipc_bench_default(self):
        help_text = subprocess.run([IPC_BENCH, "--help"], capture_output=True, text=True, check=True).stdout
        (default,) = re.findall(r"--warmup.*?default:? (\d+) ?ms", help_text, re.S)
        stated = re.findall(r"warms? up for (\d+) ms", self.ci)
        self.assertTrue(stated, "docs/ci.md no longer states the warm-up")
        self.assertEqual(set(stated), {default})


if __name__ == "__main__":
    unittest.main()

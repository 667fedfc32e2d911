#!/usr/bin/env python3
"""Compares ipc_bench results: BASE.json against NEW.json (and more files).

  scripts/compare.py BASE.json NEW.json [more.json ...] [--threshold PCT [--change-only]] [--alpha A] [--md FILE]

Matches results by name (the /iterations:N and /repeats:N parts that Google
Benchmark adds are ignored, so runs with different -n still match) and prints
one table: base and new time per round trip, the change in percent (+ is
slower), the p99 change when both files have p99_ns, and a verdict.  Above the
table: the context that differs between the files (CPU, kernel, placement,
virtualization, build type, ...), the reasons a comparison across machines
or builds may be unfair.

Noise.  With repetitions in both files (ipc_bench -r N or
--benchmark_repetitions=N), a two-sided Mann-Whitney U test on the
per-repetition times says whether the difference is beyond noise at --alpha
(default 0.05).  A rank test with n and m repetitions cannot reach a p-value
below 2/C(n+m, n), so at alpha 0.05 it needs at least 4 repetitions in each
file (2/70 = 0.029; with 3 and 3 the smallest p is 0.1), at alpha 0.01 at
least 5.  With fewer, without repetitions, or with aggregates only
(--benchmark_report_aggregates_only=true leaves no per-repetition times),
the verdict is "cannot tell".

Gate.  With --threshold PCT, exit 1 when a result is slower in a NEW file
than in BASE by more than PCT percent and, where the rank test could be
run, also beyond noise; where it could not, the change alone decides.
"Could be run" includes power: when the repetitions vary so much that the
test would miss a change of PCT percent (at 80% power), the verdict says
"cannot tell a PCT% change", with the repetitions per file that could, and
the change alone decides.  --change-only gates on the change alone always:
for machines pinned and quiet enough that every change is real.  A
result that ran in BASE and failed in a NEW file also fails the gate (it
cannot be shown not to be slower).  Results only in one file are listed,
never fatal.

--md FILE also writes the table as GitHub-flavoured Markdown, the machine in
one line above it, to paste into an issue or a pull request.

Exit status: 0 passed (or no --threshold), 1 gate failed, 2 bad input
(missing file, malformed JSON, not Google Benchmark JSON).
"""
import argparse
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_json import BadInput, format_ns, load  # noqa: E402
from compare_markdown import write_markdown  # noqa: E402
from mann_whitney import (POWER, log_spread, mann_whitney, repetitions_needed, repetitions_to_tell,  # noqa: E402,F401
                       smallest_p)

# Context keys whose difference makes figures differ for reasons other than
# the code: the machine, the kernel, where the processes ran, the build.
# Keys ipc_bench may not write yet are compared when present.
CONTEXT_KEYS = (
    "host_name", "cpu_model", "num_cpus", "mhz_per_cpu", "cpu_scaling_enabled", "virtualization", "kernel",
    "clocksource", "governor", "smt", "isolcpus", "mitigations", "compiler", "placement", "cpus", "cpus_used",
    "allowed_cpus", "timer", "timeout_s", "consumer",
    "ipc_bench_build_type", "ipc_bench_version", "library_build_type",
)


# --- comparison --------------------------------------------------------------

class Row:
    def __init__(self, name, label):
        self.name = name
        self.label = label       # which NEW file, when there are several
        self.base = self.new = "-"
        self.change = self.p99 = "-"
        self.verdict = ""
        self.gate = ""
        self.change_pct = None
        self.underpowered = False


def compare(name, base, new, label, args, need):
    """One row: `base` and `new` are Results or None."""
    row = Row(name, label)
    if base is None or new is None:
        row.verdict = "only in base" if new is None else "only in new"
        shown = base or new
        value = "FAILED" if shown.error else format_ns(shown.time_ns()) if shown.time_ns() is not None else "-"
        if base:
            row.base = value
        else:
            row.new = value
        return row
    if base.error or new.error:
        # Never a number: a failed run has real_time 0.
        row.base = "FAILED" if base.error else format_ns(base.time_ns())
        row.new = "FAILED" if new.error else format_ns(new.time_ns())
        if base.error and new.error:
            row.verdict = f"failed in both: {new.error}"
        elif new.error:
            row.verdict = f"failed in new: {new.error}"
            if args.threshold is not None:
                row.gate = "FAIL"
        else:
            row.verdict = f"failed in base: {base.error}"
        return row

    b, n = base.time_ns(), new.time_ns()
    row.base, row.new = format_ns(b), format_ns(n)
    if not b or b <= 0:
        row.verdict = "cannot compare: base time is 0"
        return row
    row.change_pct = (n / b - 1) * 100
    row.change = f"{row.change_pct:+.1f}%"
    b99, n99 = base.counter("p99_ns"), new.counter("p99_ns")
    if b99 and n99 is not None:
        row.p99 = f"{(n99 / b99 - 1) * 100:+.1f}%"

    tested = False
    if base.kind == "repetitions" and new.kind == "repetitions":
        nb, nn = len(base.samples), len(new.samples)
        if smallest_p(nb, nn) < args.alpha:
            _, p, _ = mann_whitney(new.samples, base.samples)
            beyond = p < args.alpha
            tested = True
            if beyond:
                row.verdict = f"{'slower' if n > b else 'faster'}, beyond noise (p={p:.2g}, {nb} vs {nn} reps)"
            else:
                row.verdict = f"within noise (p={p:.2g}, {nb} vs {nn} reps)"
                # Not finding a change says nothing when the test could not have found one of the
                # threshold's size: then the change alone gates, as without repetitions.
                if args.threshold:
                    spread = log_spread(base.samples, new.samples)
                    enough = repetitions_to_tell(spread, args.threshold, args.alpha)
                    if min(nb, nn) < enough:
                        tested = False
                        row.verdict = (f"cannot tell a {args.threshold:g}% change: the repetitions vary by "
                                       f"{spread * 100:.1f}% ({nb} vs {nn} reps, p={p:.2g}); "
                                       f"{enough} each could")
                        row.underpowered = True
        else:
            row.verdict = f"cannot tell: {nb} vs {nn} repetitions, the rank test needs {need} each"
    elif "aggregates" in (base.kind, new.kind):
        row.verdict = "cannot tell: aggregates only, no per-repetition times"
    else:
        lacking = [side for side, r in (("base", base), ("new", new)) if r.kind != "repetitions"]
        row.verdict = "cannot tell: no repetitions" + (f" in {lacking[0]}" if len(lacking) == 1 else "")

    if args.threshold is not None and row.change_pct > args.threshold:
        if not tested or beyond or args.change_only:
            row.gate = "FAIL"
        else:
            row.gate = "ok (noise)"
    elif args.threshold is not None:
        row.gate = "ok"
    return row


def without_paths(key, value):
    """The value with the directories of the consumers' paths left out: two clones of the
    repository in different directories are the same machine and the same build."""
    if key == "consumer" and value.startswith("spawned "):
        return "spawned " + ",".join(os.path.basename(p) for p in value[len("spawned "):].split(","))
    return value


def context_differences(base_path, base_ctx, others):
    """Lines describing the context keys that differ between BASE and each NEW file."""
    def show(ctx, key):
        value = ctx.get(key)
        if value is None:
            return "(absent)"
        return without_paths(key, value if isinstance(value, str) else str(value))

    header = ["key", os.path.basename(base_path)] + [label for label, _ in others]
    rows = []
    for key in CONTEXT_KEYS:
        values = [show(base_ctx, key)] + [show(ctx, key) for _, ctx in others]
        if key not in base_ctx and all(key not in ctx for _, ctx in others):
            continue
        if any(v != values[0] for v in values[1:]):
            rows.append([key] + values)
    if not rows:
        compared = sum(1 for k in CONTEXT_KEYS if k in base_ctx)
        return [f"Context: no differences in the {compared} keys compared (host, CPU, kernel, placement, "
                "virtualization, build: see CONTEXT_KEYS in compare.py)."]
    lines = ["Context differences (figures differ for these reasons too: compare like with like):"]
    lines += ["  " + line for line in table([header] + rows, right=())]
    return lines


def disturbed(labelled_contexts):
    """One line per file whose run ipc_bench found disturbed (its context's `warnings`: load,
    another busy process on the pinned CPUs, governor, clock source, skewed or varying results)."""
    return [f"Disturbed: {label} was measured with warnings: {ctx['warnings']}"
            for label, ctx in labelled_contexts
            if isinstance(ctx.get("warnings"), str) and ctx["warnings"] not in ("", "none")]


def table(rows, right):
    """Aligned columns; the column indices in `right` are right-aligned."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for r in rows:
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))]
        out.append("  ".join(cells).rstrip())
    return out


def labels_for(paths):
    """Short names for the files: base names, or whole paths when base names clash."""
    names = [os.path.basename(p) for p in paths]
    return names if len(set(names)) == len(names) else list(paths)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="compare.py", description=__doc__.split("\n\n", 1)[0],
        epilog=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+", metavar="FILE.json", help="BASE.json, then one or more NEW.json")
    parser.add_argument("--threshold", type=float, metavar="PCT",
                        help="exit 1 when a result got slower by more than PCT percent (see Gate)")
    parser.add_argument("--alpha", type=float, default=0.05,
                        help="significance level of the rank test (default 0.05)")
    parser.add_argument("--change-only", action="store_true",
                        help="with --threshold: the change alone gates, noise or not (for pinned, quiet machines)")
    parser.add_argument("--md", metavar="FILE", help="also write the table as GitHub-flavoured Markdown to FILE")
    args = parser.parse_args(argv)
    if len(args.files) < 2:
        parser.error("needs BASE.json and at least one NEW.json")
    if not 0 < args.alpha < 1:
        parser.error("--alpha must be between 0 and 1")
    if args.threshold is not None and (math.isnan(args.threshold) or args.threshold < 0):
        parser.error("--threshold must be a percentage >= 0")
    if args.change_only and args.threshold is None:
        parser.error("--change-only needs --threshold")
    if args.md and not os.path.isdir(os.path.dirname(os.path.abspath(args.md))):
        parser.error(f"--md {args.md}: no such directory")

    try:
        loaded = [load(path) for path in args.files]
    except BadInput as e:
        print(f"compare.py: {e}", file=sys.stderr)
        return 2

    labels = labels_for(args.files)
    base_ctx, base_results = loaded[0]
    need = repetitions_needed(args.alpha)
    several = len(args.files) > 2

    others = [(labels[i], loaded[i][0]) for i in range(1, len(loaded))]
    for line in context_differences(args.files[0], base_ctx, others):
        print(line)
    print()

    rows = []
    base_by_key = {r.key: r for r in base_results}
    for i in range(1, len(loaded)):
        new_by_key = {r.key: r for r in loaded[i][1]}
        order = [r.key for r in base_results] + [r.key for r in loaded[i][1] if r.key not in base_by_key]
        for key in order:
            base, new = base_by_key.get(key), new_by_key.get(key)
            rows.append(compare((base or new).name, base, new, labels[i], args, need))

    header = ["name"] + (["file"] if several else []) + ["base", "new", "change"]
    show_p99 = any(r.p99 != "-" for r in rows)
    header += (["p99 change"] if show_p99 else []) + (["gate"] if args.threshold is not None else []) + ["verdict"]
    lines = [header]
    for r in rows:
        cells = [r.name] + ([r.label] if several else []) + [r.base, r.new, r.change]
        cells += ([r.p99] if show_p99 else []) + ([r.gate] if args.threshold is not None else []) + [r.verdict]
        lines.append(cells)
    first_number = 2 if several else 1
    right = range(first_number, first_number + 3 + show_p99)
    for line in table(lines, right=right):
        print(line)

    notes = ["time: per round trip (real_time), the median of the repetitions where there are several; "
             "change: new against base, + is slower.",
             f"noise: two-sided Mann-Whitney U on the per-repetition times at alpha {args.alpha:g}; "
             f"it can only reject with at least {need} repetitions in each file "
             f"(-r {need}, or --benchmark_repetitions={need})."]
    if any(r.underpowered for r in rows):
        notes.append(f"cannot tell a {args.threshold:g}% change: the repetitions vary too much for the rank test "
                     f"to find a change of that size (at {POWER:.0%} power): the change alone gated those results; "
                     "the verdict names the repetitions that could tell.")
    if args.change_only:
        notes.append("--change-only: the change alone gates, whatever the noise.")
    # Below the table, with the notes (and in --md): a side measured while disturbed.
    notes[:0] = disturbed([(labels[0], base_ctx)] + others)
    print()
    for note in notes:
        print(note)
    if args.md:
        contexts = [(labels[0], base_ctx)] + others
        try:
            write_markdown(args.md, contexts, lines, right, notes)
        except OSError as e:
            print(f"compare.py: cannot write {args.md}: {e.strerror or e}", file=sys.stderr)
            return 2

    if args.threshold is None:
        return 0
    failed = [r for r in rows if r.gate == "FAIL"]
    if not failed:
        compared = sum(1 for r in rows if r.change_pct is not None)
        print(f"gate: passed: no result slower by more than {args.threshold:g}% ({compared} compared)")
        return 0
    print(f"gate: FAILED: {len(failed)} result(s) slower by more than {args.threshold:g}%, or failed in new:")
    for r in failed:
        where = f" [{r.label}]" if several else ""
        print(f"  {r.name}{where}: {r.change if r.change_pct is not None else r.verdict}")
    return 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # compare.py ... | head
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)

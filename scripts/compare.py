#!/usr/bin/env python3
"""Compares ipc_bench results: BASE.json against NEW.json (and more files).

  scripts/compare.py BASE.json NEW.json [more.json ...]
                     [--threshold PCT [--change-only]] [--alpha A] [--md FILE]

Matches results by name (the /iterations:N and /repeats:N parts that Google
Benchmark adds are ignored, so runs with different -n still match) and prints
one table: base and new time per round trip, the change in percent (+ is
slower), the p99 change when both files have p99_ns, the gate's word with
--threshold, and a verdict on the data.  Above the table: the context that
differs between the files (CPU, kernel, placement, virtualization, build
type, ...), the reasons a comparison across machines or builds may be
unfair.  Below it, "Explained": per result, the explanation counters
(system calls, switches, involuntary switches, migrations, page faults per
round trip and side) that moved by at least 0.05 and 10%, so that a
regression names its cause ("consumer switches per round trip 1.00 ->
2.00").  Lines fit 100 columns: when the verdict does not fit beside the
numbers it stands on its own line under its row.

Noise.  With repetitions in both files (ipc_bench -r N or
--benchmark_repetitions=N), a two-sided Mann-Whitney U test on the
per-repetition times says whether the difference is beyond noise at --alpha
(default 0.05).  A rank test with n and m repetitions cannot reach a p-value
below 2/C(n+m, n), so at alpha 0.05 it needs at least 4 repetitions in each
file (2/70 = 0.029; with 3 and 3 the smallest p is 0.1), at alpha 0.01 at
least 5.  With fewer, without repetitions, or with aggregates only
(--benchmark_report_aggregates_only=true leaves no per-repetition times),
the verdict is "cannot tell".  "Within noise" says too how large a change
these repetitions would show (at 80% power): "would show a change over
60%" is no evidence against a 20% one.  The verdict describes the data
only: it is the same with or without --threshold.

Gate.  With --threshold PCT, the gate column says FAIL and the exit status
is 1 when a result is slower in a NEW file than in BASE by more than PCT
percent and, where the rank test could be run, also beyond noise; where it
could not, or where the repetitions would not show a change of PCT percent,
the change alone decides (and the gate's summary says which reason, and how
many repetitions per file could tell).  "ok (noise)": slower by more than
PCT percent, but within a noise that would have shown such a change.
--change-only gates on the change alone always: for machines pinned and
quiet enough that every change is real.  A result that ran in BASE and
failed in a NEW file also fails the gate (it cannot be shown not to be
slower).  Results only in one file are listed, never fatal; when no result
is in both files there is nothing to compare: exit 2.

--md FILE also writes the table as GitHub-flavoured Markdown, the machine in
one line above it, to paste into an issue or a pull request.

Bad input is one line on stderr and exit 2: a missing file, one larger than
bench_json.MAX_BYTES (16 MiB), malformed or too deeply nested JSON, JSON that
is not Google Benchmark's, a time that is not a number of nanoseconds above 0
and under a day (0, negative, NaN, 1e308), nothing matched, and a standard
output that cannot be written (/dev/full, a closed pipe).

Exit status: 0 passed (or no --threshold), 1 gate failed, 2 bad input,
nothing to compare, or output that could not be written.
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_json import EXPLAIN, BadInput, format_ns, load  # noqa: E402
from compare_markdown import write_markdown  # noqa: E402
from mann_whitney import (POWER, log_spread, mann_whitney, repetitions_needed, repetitions_to_tell,  # noqa: E402,F401
                          smallest_change, smallest_p)
from terminal import BAD, WIDTH, ArgumentParser, Output, run, say, table, wrap, wrap_path, wrap_words  # noqa: E402

# Context keys whose difference makes figures differ for reasons other than
# the code: the machine, the kernel, where the processes ran, the build.
# Keys ipc_bench may not write yet are compared when present.
CONTEXT_KEYS = (
    "host_name", "cpu_model", "num_cpus", "mhz_per_cpu", "cpu_scaling_enabled", "virtualization", "kernel",
    "clocksource", "governor", "smt", "isolcpus", "mitigations", "compiler", "placement", "cpus", "cpus_used",
    "allowed_cpus", "timer", "timeout_s", "consumer",
    "ipc_bench_build_type", "ipc_bench_version", "library_build_type",
)
# A context value longer than this is cut, in the table above the results.
CONTEXT_VALUE_CHARS = 160
# The least widths of the cells that wrap: the name (at "/"), the file, the verdict beside the numbers.
NAME_COLUMNS, FILE_COLUMNS, VERDICT_COLUMNS = 20, 12, 40


# --- comparison --------------------------------------------------------------

def percent(value):
    """A change of `value` percent in two significant digits: 3.1%, 60%, 1200%."""
    return f"{value:.2g}%" if value < 10 else f"{value:.0f}%"


class Row:
    def __init__(self, name, label):
        self.name = name
        self.label = label       # which NEW file, when there are several
        self.base = self.new = "-"
        self.change = self.p99 = "-"
        self.verdict = ""        # what the data say: the same with or without --threshold
        self.gate = ""           # the gate's word, with --threshold
        self.why = ""            # why the gate failed, for its summary
        self.change_pct = None
        self.underpowered = False
        self.matched = False     # in both files


def compare(name, base, new, label, args, need):
    """One row: `base` and `new` are Results or None."""
    row = Row(name, label)
    gated = args.threshold is not None
    if base is None or new is None:
        row.verdict = "only in base" if new is None else "only in new"
        shown = base or new
        value = "FAILED" if shown.error else format_ns(shown.time_ns()) if shown.time_ns() is not None else "-"
        if base:
            row.base = value
        else:
            row.new = value
        return row
    row.matched = True
    if base.error or new.error:
        # Never a number: a failed run has real_time 0.
        row.base = "FAILED" if base.error else format_ns(base.time_ns())
        row.new = "FAILED" if new.error else format_ns(new.time_ns())
        if base.error and new.error:
            row.verdict = f"failed in both: {new.error}"
        elif new.error:
            row.verdict = f"failed in new: {new.error}"
            if gated:
                row.gate, row.why = "FAIL", "failed in new"
        else:
            row.verdict = f"failed in base: {base.error}"
        return row

    b, n = base.time_ns(), new.time_ns()
    if b is None or n is None:  # neither a repetition nor a mean or median: a stddev alone, say
        row.verdict = f"no time in {'base' if b is None else 'new'}: neither repetitions nor a mean or median"
        return row
    row.base, row.new = format_ns(b), format_ns(n)
    row.change_pct = (n / b - 1) * 100
    row.change = f"{row.change_pct:+.1f}%"
    b99, n99 = base.counter("p99_ns"), new.counter("p99_ns")
    if b99 and n99 is not None:
        row.p99 = f"{(n99 / b99 - 1) * 100:+.1f}%"

    tested = beyond = False
    shows = None  # the smallest change the repetitions would show
    if base.kind == "repetitions" and new.kind == "repetitions":
        nb, nn = len(base.samples), len(new.samples)
        if smallest_p(nb, nn) < args.alpha:
            _, p, _ = mann_whitney(new.samples, base.samples)
            beyond = p < args.alpha
            tested = True
            if beyond:
                row.verdict = f"{'slower' if n > b else 'faster'}, beyond noise (p={p:.2g}, {nb} vs {nn} reps)"
            else:
                # Not finding a change says nothing of a change smaller than the test could have found: say
                # which, whatever --threshold is.
                spread = log_spread(base.samples, new.samples)
                shows = smallest_change(spread, min(nb, nn), args.alpha)
                would = "any change" if shows == 0 else f"a change over {percent(shows)}"
                row.verdict = f"within noise (p={p:.2g}, {nb} vs {nn} reps; would show {would})"
                if gated and args.threshold < shows:
                    # Then the change alone gates, as without repetitions.
                    row.underpowered = True
                    enough = repetitions_to_tell(spread, args.threshold, args.alpha)
                    row.why = (f"within noise, but {nb} vs {nn} reps would not show a {args.threshold:g}% change "
                               f"({enough} each could): the change alone gated")
        else:
            row.verdict = f"cannot tell: {nb} vs {nn} repetitions, the rank test needs {need} each"
    elif "aggregates" in (base.kind, new.kind):
        row.verdict = "cannot tell: aggregates only, no per-repetition times"
    else:
        lacking = [side for side, r in (("base", base), ("new", new)) if r.kind != "repetitions"]
        row.verdict = "cannot tell: no repetitions" + (f" in {lacking[0]}" if len(lacking) == 1 else "")

    if gated and row.change_pct > args.threshold:
        if args.change_only or not tested or beyond or row.underpowered:
            row.gate = "FAIL"
            if not row.why:
                row.why = ("--change-only" if args.change_only else "beyond noise" if beyond
                           else "no rank test: the change alone gated")
        else:
            row.gate = "ok (noise)"
    elif gated:
        row.gate = "ok"
    return row


# An explanation counter moved when it changed by at least this much per
# round trip and by at least EXPLAIN_RELATIVE of the larger value: 1.0 ->
# 2.0 switches is named, 2.00 -> 2.01 system calls (a batch's own few calls)
# is not.
EXPLAIN_ABSOLUTE = 0.05
EXPLAIN_RELATIVE = 0.10


def explained(rows_and_results, several):
    """Lines naming, per result, the explanation counters that moved between base and new:
    "pipe/payload:4/placement:same: consumer switches per round trip 1.00 -> 2.00"."""
    lines = []
    for row, base, new in rows_and_results:
        moved = []
        for counter in EXPLAIN:
            b, n = base.counter(counter), new.counter(counter)
            if b is None or n is None:
                continue
            if abs(n - b) >= EXPLAIN_ABSOLUTE and abs(n - b) >= EXPLAIN_RELATIVE * max(abs(b), abs(n)):
                side, event = counter.split("_", 1)
                moved.append(f"{side} {event.replace('_', ' ')} per round trip {b:.2f} -> {n:.2f}")
        if moved:
            where = f" [{row.label}]" if several else ""
            lines.append(f"{row.name}{where}: {', '.join(moved)}")
    return lines


def without_paths(key, value):
    """The value with the directories of the consumers' paths left out: two clones of the
    repository in different directories are the same machine and the same build."""
    if key == "consumer" and value.startswith("spawned "):
        return "spawned " + ",".join(os.path.basename(p) for p in value[len("spawned "):].split(","))
    return value


def context_differences(base_label, base_ctx, others):
    """Lines describing the context keys that differ between BASE and each NEW file."""
    def show(ctx, key):
        value = ctx.get(key)
        if value is None:
            return "(absent)"
        text = without_paths(key, value if isinstance(value, str) else str(value))
        return text if len(text) <= CONTEXT_VALUE_CHARS else text[:CONTEXT_VALUE_CHARS - 3] + "..."

    header = ["key", base_label] + [label for label, _ in others]
    rows = []
    for key in CONTEXT_KEYS:
        values = [show(base_ctx, key)] + [show(ctx, key) for _, ctx in others]
        if key not in base_ctx and all(key not in ctx for _, ctx in others):
            continue
        if any(v != values[0] for v in values[1:]):
            rows.append([key] + values)
    if not rows:
        compared = sum(1 for k in CONTEXT_KEYS if k in base_ctx)
        return wrap(f"Context: no differences in the {compared} keys compared (host, CPU, kernel, placement, "
                    "virtualization, build: see CONTEXT_KEYS in compare.py).")
    lines = wrap("Context differences (figures differ for these reasons too: compare like with like):")
    values = {i: (12, wrap_words) for i in range(1, len(header))}
    lines += ["  " + line for line in table([header] + rows, width=WIDTH - 2, wrappable=values)]
    return lines


def disturbed(labelled_contexts):
    """[(label, [warning])] of the files whose run ipc_bench found disturbed (its context's `warnings`, "; "
    between them: load, another busy process on the pinned CPUs, governor, clock source, skewed or varying
    results); a file given twice is named once."""
    found = []
    for label, ctx in labelled_contexts:
        warnings = ctx.get("warnings")
        if isinstance(warnings, str) and warnings not in ("", "none") and label not in dict(found):
            found.append((label, [w for w in warnings.split("; ") if w]))
    return found


def disturbed_lines(found):
    """For a terminal: per file a line, then its warnings one by one."""
    lines = []
    for label, warnings in found:
        lines += wrap(f"Disturbed: {label} was measured with warnings:")
        for warning in warnings:
            lines += wrap(warning, indent="  - ", subsequent="    ")
    return lines


def labels_for(paths):
    """Short names for the files: base names, or whole paths when base names clash (the same file given
    twice keeps its base name)."""
    names = [os.path.basename(p) for p in paths]
    distinct = {os.path.realpath(p) for p in paths}
    return names if len(set(names)) == len(distinct) else list(paths)


def legend(header, args, need):
    """One note per column the table has, named as in its header."""
    notes = []
    if "file" in header:
        notes.append("file: the NEW file the row compares with the base.")
    notes.append("base, new: time per round trip (real_time), the median of the repetitions where there are several.")
    notes.append("change: new against base, + is slower.")
    if "p99 change" in header:
        notes.append("p99 change: the same for p99_ns, the 99th percentile of the round trips.")
    if "gate" in header:
        threshold = f"{args.threshold:g}%"
        if args.change_only:
            notes.append(f"gate: FAIL when slower by more than {threshold} or failed in new, whatever the noise "
                         "(--change-only).")
        else:
            notes.append(f"gate: FAIL: slower by more than {threshold} and beyond noise, or by the change alone where "
                         f"the noise cannot tell (no rank test, or it would not show {threshold}), or failed in new; "
                         f"ok (noise): slower by more than {threshold}, within a noise that would show it.")
    notes.append(f"verdict: two-sided Mann-Whitney U on the per-repetition times at alpha {args.alpha:g}; it can only "
                 f"reject with at least {need} repetitions in each file (-r {need}, or "
                 f"--benchmark_repetitions={need}); \"would show a change over X%\": the smallest change those "
                 f"repetitions find at {POWER:.0%} power.")
    return notes


def results_table(header, rows, several, show_p99):
    """The table's cells (header first), the right-aligned columns, and its lines for a terminal."""
    lines = [header]
    for r in rows:
        cells = [r.name] + ([r.label] if several else []) + [r.base, r.new, r.change]
        cells += ([r.p99] if show_p99 else []) + ([r.gate] if "gate" in header else []) + [r.verdict]
        lines.append(cells)
    first_number = 2 if several else 1
    right = range(first_number, first_number + 3 + show_p99)
    verdict = len(header) - 1
    wrappable = {0: (NAME_COLUMNS, wrap_path), verdict: (VERDICT_COLUMNS, wrap_words)}
    if several:
        wrappable[1] = (FILE_COLUMNS, wrap_path)
    return lines, right, table(lines, right=right, wrappable=wrappable, below=verdict)


def main(argv=None):
    parser = ArgumentParser(prog="compare.py", description=__doc__.split("\n\n", 1)[0],
                            epilog=__doc__.split("\n\n", 1)[1])
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
    if args.threshold is not None and not 0 <= args.threshold < math.inf:
        parser.error("--threshold must be a percentage >= 0")
    if args.change_only and args.threshold is None:
        parser.error("--change-only needs --threshold")
    if args.md and not os.path.isdir(os.path.dirname(os.path.abspath(args.md))):
        parser.error(f"--md {args.md}: no such directory")

    try:
        loaded = [load(path) for path in args.files]
    except BadInput as e:
        say(f"compare.py: {e}")
        return BAD

    labels = labels_for(args.files)
    base_ctx, base_results = loaded[0]
    need = repetitions_needed(args.alpha)
    several = len(args.files) > 2

    rows = []
    pairs = []  # (row, base, new) of the results in both files with no failure: for explained()
    base_by_key = {r.key: r for r in base_results}
    for i in range(1, len(loaded)):
        new_by_key = {r.key: r for r in loaded[i][1]}
        order = [r.key for r in base_results] + [r.key for r in loaded[i][1] if r.key not in base_by_key]
        for key in order:
            base, new = base_by_key.get(key), new_by_key.get(key)
            rows.append(compare((base or new).name, base, new, labels[i], args, need))
            if base and new and not base.error and not new.error:
                pairs.append((rows[-1], base, new))
    if not any(r.matched for r in rows):
        counts = ", ".join(f"{len(results)} in {label}" for label, (_, results) in zip(labels, loaded))
        say(f"compare.py: nothing to compare: no result name is in both files ({counts})")
        return BAD

    out = Output("compare.py")
    others = [(labels[i], loaded[i][0]) for i in range(1, len(loaded))]
    for line in context_differences(labels[0], base_ctx, others):
        out.print(line)
    out.print()

    gated = args.threshold is not None
    show_p99 = any(r.p99 != "-" for r in rows)
    header = ["name"] + (["file"] if several else []) + ["base", "new", "change"]
    header += (["p99 change"] if show_p99 else []) + (["gate"] if gated else []) + ["verdict"]
    cells, right, lines = results_table(header, rows, several, show_p99)
    for line in lines:
        out.print(line)

    # Why a figure moved, where the files say: the explanation counters that changed.
    moved = explained(pairs, several)
    if moved:
        out.print()
        out.print("Explained (what each side asked of the kernel, where it changed):")
        for entry in moved:
            for line in wrap(entry, indent="  ", subsequent="    "):
                out.print(line)

    # Below the table, with the legend (and in --md): a side measured while disturbed.
    warned = disturbed([(labels[0], base_ctx)] + others)
    if warned:
        out.print()
        for line in disturbed_lines(warned):
            out.print(line)
    out.print()
    notes = legend(header, args, need)
    for note in notes:
        for line in wrap(note):
            out.print(line)
    if args.md:
        contexts = [(labels[0], base_ctx)] + others
        try:
            write_markdown(args.md, contexts, cells, right,
                           [f"Disturbed: {label} was measured with warnings: {'; '.join(w)}" for label, w in warned]
                           + notes)
        except OSError as e:
            say(f"compare.py: cannot write {args.md}: {e.strerror or e}")
            return BAD

    compared = sum(1 for r in rows if r.change_pct is not None)
    failed = [r for r in rows if r.gate == "FAIL"]
    if gated and failed:
        out.print(f"gate: FAILED: {len(failed)} result(s) slower by more than {args.threshold:g}%, or failed in new:")
        for r in failed:
            where = f" [{r.label}]" if several else ""
            change = f"{r.change}, " if r.change_pct is not None else ""
            for line in wrap(f"{r.name}{where}: {change}{r.why}", indent="  ", subsequent="    "):
                out.print(line)
        return out.close(1)
    if compared == 0:
        # Names in both files, but no time in both: failed, in one file or the other.
        if out.close(0) == 0:  # written: then say why the status is BAD
            say("compare.py: nothing compared: no result has a time in both files (see the verdicts)")
        return BAD
    if gated:
        out.print(f"gate: passed: no result slower by more than {args.threshold:g}% ({compared} compared)")
    return out.close(0)


if __name__ == "__main__":
    run("compare.py", main)

#!/usr/bin/env python3
"""Compares ipc_bench results: BASE.json against NEW.json (and more files).

  scripts/compare.py BASE.json NEW.json [more.json ...] [--threshold PCT] [--alpha A]

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
run, also beyond noise; where it could not, the change alone decides.  A
result that ran in BASE and failed in a NEW file also fails the gate (it
cannot be shown not to be slower).  Results only in one file are listed,
never fatal.

Exit status: 0 passed (or no --threshold), 1 gate failed, 2 bad input
(missing file, malformed JSON, not Google Benchmark JSON).
"""
import argparse
import functools
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_json import BadInput, format_ns, load  # noqa: E402

# Context keys whose difference makes figures differ for reasons other than
# the code: the machine, the kernel, where the processes ran, the build.
# Keys ipc_bench may not write yet are compared when present.
CONTEXT_KEYS = (
    "host_name", "cpu_model", "num_cpus", "mhz_per_cpu", "cpu_scaling_enabled", "virtualization", "kernel",
    "clocksource", "governor", "smt", "isolcpus", "mitigations", "compiler", "placement", "cpus", "cpus_used",
    "allowed_cpus", "timer", "timeout_s", "consumer",
    "ipc_bench_build_type", "ipc_bench_version", "library_build_type",
)


# --- Mann-Whitney U, written out --------------------------------------------

@functools.lru_cache(maxsize=None)
def _u_counts(n, m):
    """How many of the C(n+m, n) orderings of n X and m Y give U = 0 .. n*m.

    U counts the (x, y) pairs with x > y.  The largest of all n + m values is
    either an X, above all m Y (adds m), or a Y (adds nothing):
    f(n, m, u) = f(n-1, m, u-m) + f(n, m-1, u).
    """
    if n == 0 or m == 0:
        return (1,)
    with_x = _u_counts(n - 1, m)
    with_y = _u_counts(n, m - 1)
    counts = [0] * (n * m + 1)
    for u, c in enumerate(with_y):
        counts[u] += c
    for u, c in enumerate(with_x):
        counts[u + m] += c
    return tuple(counts)


def smallest_p(n, m):
    """The smallest two-sided p-value n and m untied values can give: 2 / C(n+m, n)."""
    return min(1.0, 2.0 / math.comb(n + m, n))


def repetitions_needed(alpha):
    """The least k such that k repetitions in each file can reject at alpha."""
    k = 1
    while smallest_p(k, k) >= alpha:
        k += 1
    return k


def mann_whitney(x, y):
    """Two-sided Mann-Whitney U test of samples x and y.  Returns (U of x, p, method).

    Exact (the full distribution of U) when there are no ties and
    n + m <= 40; otherwise the normal approximation with tie and continuity
    corrections.
    """
    n, m = len(x), len(y)
    pooled = sorted([(v, 0) for v in x] + [(v, 1) for v in y])
    ranks = [0.0] * len(pooled)
    tie_sizes = []
    i = 0
    while i < len(pooled):
        j = i
        while j + 1 < len(pooled) and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1  # mid-rank, 1-based
        tie_sizes.append(j - i + 1)
        i = j + 1
    rank_sum_x = sum(r for r, (_, group) in zip(ranks, pooled) if group == 0)
    u = rank_sum_x - n * (n + 1) / 2
    ties = any(t > 1 for t in tie_sizes)

    if not ties and n + m <= 40:
        counts = _u_counts(n, m)
        total = math.comb(n + m, n)
        k = int(round(u))
        lower = sum(counts[: k + 1])
        upper = sum(counts[k:])
        return u, min(1.0, 2 * min(lower, upper) / total), "exact"

    big_n = n + m
    variance = n * m / 12 * ((big_n + 1) - sum(t ** 3 - t for t in tie_sizes) / (big_n * (big_n - 1)))
    if variance <= 0:  # every value the same
        return u, 1.0, "normal"
    z = max(0.0, abs(u - n * m / 2) - 0.5) / math.sqrt(variance)
    return u, math.erfc(z / math.sqrt(2)), "normal"


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
            tested = True
            beyond = p < args.alpha
            if beyond:
                row.verdict = f"{'slower' if n > b else 'faster'}, beyond noise (p={p:.2g}, {nb} vs {nn} reps)"
            else:
                row.verdict = f"within noise (p={p:.2g}, {nb} vs {nn} reps)"
        else:
            row.verdict = f"cannot tell: {nb} vs {nn} repetitions, the rank test needs {need} each"
    elif "aggregates" in (base.kind, new.kind):
        row.verdict = "cannot tell: aggregates only, no per-repetition times"
    else:
        lacking = [side for side, r in (("base", base), ("new", new)) if r.kind != "repetitions"]
        row.verdict = "cannot tell: no repetitions" + (f" in {lacking[0]}" if len(lacking) == 1 else "")

    if args.threshold is not None and row.change_pct > args.threshold:
        if not tested or beyond:
            row.gate = "FAIL"
        else:
            row.gate = "ok (noise)"
    elif args.threshold is not None:
        row.gate = "ok"
    return row


def context_differences(base_path, base_ctx, others):
    """Lines describing the context keys that differ between BASE and each NEW file."""
    def show(ctx, key):
        value = ctx.get(key)
        if value is None:
            return "(absent)"
        return value if isinstance(value, str) else str(value)

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
    args = parser.parse_args(argv)
    if len(args.files) < 2:
        parser.error("needs BASE.json and at least one NEW.json")
    if not 0 < args.alpha < 1:
        parser.error("--alpha must be between 0 and 1")
    if args.threshold is not None and (math.isnan(args.threshold) or args.threshold < 0):
        parser.error("--threshold must be a percentage >= 0")

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
    for line in table(lines, right=range(first_number, first_number + 3 + show_p99)):
        print(line)

    print()
    print("time: per round trip (real_time), the median of the repetitions where there are several; "
          "change: new against base, + is slower.")
    print(f"noise: two-sided Mann-Whitney U on the per-repetition times at alpha {args.alpha:g}; "
          f"it can only reject with at least {need} repetitions in each file "
          f"(-r {need}, or --benchmark_repetitions={need}).")

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

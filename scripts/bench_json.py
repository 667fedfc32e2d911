"""Reads Google Benchmark JSON (ipc_bench --json FILE) for compare.py and plot.py.

Python 3 standard library only.  One Result per benchmark: its
per-repetition times, its aggregates, its percentile counters when the run
has them, or its error.  Times are normalised to nanoseconds, whatever the
file's time_unit.
"""
import json
import math
import re
import statistics

UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}

# Percentile counters ipc_bench adds to every result when it has them: plain
# numbers, in nanoseconds whatever time_unit says.
PERCENTILES = ("min_ns", "p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns")
# What an open-loop result (a name with /rate:R) adds: the rate asked for, the
# rate achieved and the pings sent more than one period late; plot.py
# --vs-rate marks a rate that was not held.
OPEN_LOOP = ("rate", "achieved_rate", "late_sends")
COUNTERS = PERCENTILES + OPEN_LOOP

# Google Benchmark puts the fixed iteration count (-n N) and per-benchmark
# repetitions in the name.  They are how the run was made, not what was
# measured: leave them out of the key so that a run with -n 2000 matches one
# with -n 5000.
_RUN_PARAMETERS = re.compile(r"/(iterations|repeats):\d+")
_AGGREGATE_SUFFIX = re.compile(r"_(mean|median|stddev|cv)$")


class BadInput(Exception):
    """A file that cannot be read as Google Benchmark JSON; the message names it."""


class Result:
    """One benchmark of one file: what compare.py and plot.py need of it."""

    def __init__(self, key):
        self.key = key
        self.samples = []      # real_time of each repetition (iteration run), ns
        self.aggregates = {}   # "mean"/"median"/"stddev" -> real_time, ns
        self.counters = {}     # "p99_ns" -> per-repetition values
        self.agg_counters = {} # ("median", "p99_ns") -> value
        self.errors = []       # error messages of failed repetitions

    @property
    def name(self):
        """The key without the trailing /real_time every ipc_bench name has."""
        return self.key[: -len("/real_time")] if self.key.endswith("/real_time") else self.key

    @property
    def error(self):
        """The first error message, or None.  One failed repetition makes the result a failure."""
        return self.errors[0] if self.errors else None

    @property
    def kind(self):
        """'repetitions' (2+ per-repetition times), 'single', 'aggregates' (aggregates only) or 'empty'."""
        if len(self.samples) >= 2:
            return "repetitions"
        if self.samples:
            return "single"
        if "median" in self.aggregates or "mean" in self.aggregates:
            return "aggregates"
        return "empty"

    def time_ns(self):
        """Time per round trip: the median of the repetitions, else the median (or mean) aggregate."""
        if self.samples:
            return statistics.median(self.samples)
        return self.aggregates.get("median", self.aggregates.get("mean"))

    def counter(self, name):
        """A counter (e.g. p99_ns), taken like time_ns(): median of repetitions, else the aggregate."""
        values = self.counters.get(name)
        if values:
            return statistics.median(values)
        for aggregate in ("median", "mean"):
            if (aggregate, name) in self.agg_counters:
                return self.agg_counters[(aggregate, name)]
        return None

    def count(self):
        """How many repetitions the figure stands for."""
        return len(self.samples) if self.samples else None


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def load(path):
    """Parses `path`; returns (context dict, [Result] in file order).  Raises BadInput."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise BadInput(f"cannot read {path}: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise BadInput(f"{path} is not valid JSON: not UTF-8 text ({e.reason} at byte {e.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise BadInput(f"{path} is not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})") from None
    if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), list):
        raise BadInput(f'{path} is not Google Benchmark JSON: no "benchmarks" list at the top level')
    context = data.get("context", {})
    if not isinstance(context, dict):
        raise BadInput(f'{path} is not Google Benchmark JSON: "context" is not an object')

    results = {}
    for index, b in enumerate(data["benchmarks"]):
        where = f"{path}: benchmarks[{index}]"
        if not isinstance(b, dict) or not isinstance(b.get("name"), str) or not b["name"]:
            raise BadInput(f"{where} has no name: not Google Benchmark JSON")
        run_name = b.get("run_name")
        if not isinstance(run_name, str):
            # Older Google Benchmark: no run_name, aggregates only by suffix.
            run_name = _AGGREGATE_SUFFIX.sub("", b["name"]) if b.get("run_type") == "aggregate" else b["name"]
        key = _RUN_PARAMETERS.sub("", run_name)
        result = results.setdefault(key, Result(key))

        # Google Benchmark 1.8 calls a skipped benchmark "skipped"; 1.7 "error_occurred".
        if b.get("error_occurred") or b.get("skipped"):
            result.errors.append(str(b.get("error_message") or b.get("skip_message") or "failed (no message)"))
            continue
        aggregate = b.get("aggregate_name") if b.get("run_type") == "aggregate" else None
        # cv is a ratio, not a time, whatever time_unit says; BigO and RMS are
        # fits, not times.  compare.py and plot.py use none of them.
        if b.get("run_type") == "aggregate" and (
                aggregate not in ("mean", "median", "stddev") or b.get("aggregate_unit", "time") != "time"):
            continue
        unit = b.get("time_unit", "ns")
        if unit not in UNIT_NS:
            raise BadInput(f"{where} ({b['name']}): unknown time_unit {unit!r}")
        real_time = b.get("real_time")
        if not _number(real_time):
            raise BadInput(f"{where} ({b['name']}): real_time is missing or not a number")
        if not math.isfinite(real_time):
            # Python's json reads NaN and Infinity; they are no time, so report them as a failure.
            result.errors.append(f"real_time is {real_time}")
            continue
        ns = real_time * UNIT_NS[unit]

        if aggregate:
            result.aggregates[aggregate] = ns
            for counter in COUNTERS:
                if _number(b.get(counter)) and math.isfinite(b[counter]):
                    result.agg_counters[(aggregate, counter)] = float(b[counter])
            continue
        result.samples.append(ns)
        for counter in COUNTERS:
            if _number(b.get(counter)) and math.isfinite(b[counter]):
                result.counters.setdefault(counter, []).append(float(b[counter]))
    return context, list(results.values())


def format_ns(ns):
    """68.63 ns, 55.35 us, 1.204 ms: four significant digits in the largest unit that fits."""
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if abs(ns) >= scale:
            return f"{ns / scale:.4g} {unit}"
    return f"{ns:.4g} ns"

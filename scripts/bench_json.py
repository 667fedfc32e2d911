"""Reads Google Benchmark JSON (ipc_bench --json FILE) for compare.py and plot.py.

Python 3 standard library only.  One Result per benchmark: its
per-repetition times, its aggregates, its percentile counters when the run
has them, or its error.  Times are normalised to nanoseconds, whatever the
file's time_unit.

Whatever the bytes, load() returns or raises BadInput with one line that
names the file: a file larger than MAX_BYTES is refused before it is read
whole (no result file of ipc_bench comes near it), JSON nested too deeply
for the parser, JSON that is not Google Benchmark's, and a time that is no
time (0, negative, NaN, infinite, or longer than MAX_NS per round trip) are
all BadInput.
"""
import json
import math
import re
import statistics

UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}

# The largest file read: a run of every transport at every payload and placement with 10 repetitions is
# well under 4 MiB.  Above it, the file is refused before its text is in memory.
MAX_BYTES = 16 << 20
# The most JSON objects read from a file (a benchmark entry is one): ten times the entries of such a run.
# Past it the parser stops, before a flood of small objects in MAX_BYTES takes hundreds of MB.
MAX_OBJECTS = 200_000
# The longest time per round trip believed: a day.
MAX_NS = 86400e9
# The largest rate (msgs/s) or count of late pings believed.
MAX_COUNT = 1e15

# Percentile counters ipc_bench adds to every result when it has them: plain
# numbers, in nanoseconds whatever time_unit says.
PERCENTILES = ("min_ns", "p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns")
# What an open-loop result (a name with /rate:R) adds: the rate asked for, the
# rate achieved and the pings sent more than one period late; plot.py
# --vs-rate marks a rate that was not held.
OPEN_LOOP = ("rate", "achieved_rate", "late_sends")
# What each side asked of the kernel per round trip (docs/methodology.md,
# "Explaining a figure"): counts, absent where the machine could not count.
EXPLAIN_EVENTS = ("syscalls", "rw_calls", "switches", "involuntary_switches", "migrations", "page_faults")
EXPLAIN = tuple(f"{side}_{event}" for side in ("producer", "consumer") for event in EXPLAIN_EVENTS)
# The machine's floor of the result's CPU pair (docs/methodology.md, "floor"): times, ns.
FLOORS = ("floor_cacheline_ns", "floor_wakeup_ns")
# Fan-out (a name with /fanout:N): the spread of the receivers' delivery p99s, a ratio.
FANOUT = ("spread_p99",)
COUNTERS = PERCENTILES + OPEN_LOOP + EXPLAIN + FLOORS + FANOUT
# Fan-out's per-receiver delivery latencies: r0_p50_ns, r12_max_ns, ...; times, ns.
RECEIVER = re.compile(r"^r\d{1,2}_(p50|p99|max)_ns$")

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
        self.skipped = False   # every failed repetition a skip (Google Benchmark's "skipped"), not an error

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

    @property
    def figure(self):
        """What time_ns() is: "median" (of the repetitions, or the median aggregate) or "mean" (of one run's
        round trips, real_time, or the mean aggregate)."""
        if self.samples:
            return "median" if len(self.samples) >= 2 else "mean"
        return "median" if "median" in self.aggregates else "mean"

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


def _shown(value, unit=""):
    """A number as a message shows it (NaN, inf, 1e+308 s), or what else the value is."""
    if not _number(value):
        return "a string" if isinstance(value, str) else "null" if value is None else f"a {type(value).__name__}"
    try:
        return f"{float(value):.6g}" + (unit if math.isfinite(value) else "")
    except OverflowError:
        return "an integer beyond any float"


def _time(value, where, what, unit="ns", zero=False):
    """`value` `unit`s as ns, checked: above 0 (or 0 when `zero`) and at most MAX_NS.  Raises BadInput."""
    try:
        ns = float(value) * UNIT_NS[unit] if _number(value) else math.nan
    except OverflowError:  # an integer beyond any float
        ns = math.inf
    if not 0 <= ns <= MAX_NS or (ns == 0 and not zero):  # NaN fails every comparison
        raise BadInput(f"{where}: {what} is {_shown(value, ' ' + unit)}: not a time per round trip "
                       f"({'0 or more' if zero else 'above 0'}, at most a day)")
    return ns


class _TooMany(Exception):
    pass


def read_json(path):
    """The JSON value of `path`: at most MAX_BYTES, UTF-8.  Raises BadInput."""
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise BadInput(f"cannot read {path}: {e.strerror or e}") from None
    if len(raw) > MAX_BYTES:
        raise BadInput(f"{path} is larger than {MAX_BYTES >> 20} MiB, the most read: not an ipc_bench result file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadInput(f"{path} is not valid JSON: not UTF-8 text ({e.reason} at byte {e.start})") from None
    objects = 0

    def counted(pairs):
        nonlocal objects
        objects += 1
        if objects > MAX_OBJECTS:
            raise _TooMany
        return dict(pairs)
    try:
        return json.loads(text, object_pairs_hook=counted)
    except _TooMany:
        raise BadInput(f"{path} holds more than {MAX_OBJECTS} JSON objects, the most read: "
                       "not an ipc_bench result file") from None
    except json.JSONDecodeError as e:
        raise BadInput(f"{path} is not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})") from None
    except RecursionError:
        raise BadInput(f"{path} is not Google Benchmark JSON: nested too deeply to read") from None
    except (ValueError, MemoryError) as e:  # a number too long for int(), no memory left
        raise BadInput(f"{path} cannot be read as JSON: {str(e).splitlines()[0][:120]}") from None


def _counter(value, where, name):
    """A counter, checked: a percentile is a time (0 allowed: a clock's tick may be coarser), a rate or a
    count is finite and not negative.  Raises BadInput."""
    if name in PERCENTILES or name in FLOORS or RECEIVER.match(name):
        return _time(value, where, name, zero=True)
    if not _number(value) or not 0 <= value <= MAX_COUNT:
        raise BadInput(f"{where}: {name} is {_shown(value)}: not a rate or count (0 to {MAX_COUNT:.0e})")
    return float(value)


def load(path):
    """Parses `path`; returns (context dict, [Result] in file order).  Raises BadInput."""
    data = read_json(path)
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
        named = f"{where} ({b['name'] if len(b['name']) <= 80 else b['name'][:77] + '...'})"
        run_name = b.get("run_name")
        if not isinstance(run_name, str):
            # Older Google Benchmark: no run_name, aggregates only by suffix.
            run_name = _AGGREGATE_SUFFIX.sub("", b["name"]) if b.get("run_type") == "aggregate" else b["name"]
        key = _RUN_PARAMETERS.sub("", run_name)
        result = results.setdefault(key, Result(key))

        # Google Benchmark 1.8 calls a skipped benchmark "skipped"; 1.7 "error_occurred".
        if b.get("error_occurred") or b.get("skipped"):
            result.skipped = (not result.errors or result.skipped) and not b.get("error_occurred")
            result.errors.append(str(b.get("error_message") or b.get("skip_message") or
                                     ("skipped (no message)" if result.skipped else "failed (no message)"))[:200])
            continue
        aggregate = b.get("aggregate_name") if b.get("run_type") == "aggregate" else None
        # cv is a ratio, not a time, whatever time_unit says; BigO and RMS are
        # fits, not times.  compare.py and plot.py use none of them.
        if b.get("run_type") == "aggregate" and (
                aggregate not in ("mean", "median", "stddev") or b.get("aggregate_unit", "time") != "time"):
            continue
        unit = b.get("time_unit", "ns")
        if not isinstance(unit, str) or unit not in UNIT_NS:
            raise BadInput(f"{named}: unknown time_unit {str(unit)[:20]!r}")
        real_time = b.get("real_time")
        if not _number(real_time):
            raise BadInput(f"{named}: real_time is missing or not a number")
        # A spread may be 0; a time per round trip may not.
        ns = _time(real_time, named, "real_time", unit, zero=aggregate == "stddev")
        counters = {counter: _counter(b[counter], named, counter) for counter in b
                    if counter in COUNTERS or RECEIVER.match(counter)}

        if aggregate:
            result.aggregates[aggregate] = ns
            for counter, value in counters.items():
                result.agg_counters[(aggregate, counter)] = value
            continue
        result.samples.append(ns)
        for counter, value in counters.items():
            result.counters.setdefault(counter, []).append(value)
    return context, list(results.values())


def format_ns(ns):
    """68.63 ns, 55.35 us, 1.204 ms: four significant digits in the largest unit that fits."""
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if abs(ns) >= scale:
            return f"{ns / scale:.4g} {unit}"
    return f"{ns:.4g} ns"

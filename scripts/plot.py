#!/usr/bin/env python3
"""Plots ipc_bench results: time per round trip per transport, log axis.

  scripts/plot.py RESULTS.json [more.json ...] -o OUT.svg|OUT.png
  scripts/plot.py --vs-rate RESULTS.json [more.json ...] -o OUT.svg|OUT.png

One panel per file, side by side on a shared axis (a cross-machine or
before/after view), each titled with the machine, kernel, placement and
build from the file's context.  In a panel, bars are grouped by payload (and
placement, when the files hold several); one bar per transport.  A bar is
the time per round trip: the mean over the timed batch, or the median of the
repetitions, as its value label says ("mean 25.8 us", "median 60 us").  When
the results carry p50_ns and p99_ns, a dot marks p50 and a line runs from the
bar's top up to p99; a p99 under the mean (a few very slow round trips carry
the mean) is a hollow triangle inside the bar, not a line that would read as
an error bar.  Else a dashed whisker spans the repetitions (min to max) when
there are several.  A failed benchmark is
marked with a red x, a skipped one (in the JSON, or left out of it by
ipc_bench: a transport missing at a payload and placement of its file) with
a grey one, each labelled.  Every transport has a colour of its own from a
colour-blind-safe palette, with hatching past its seven colours; the legend
stands beside the panels.

--vs-rate draws the open-loop results (ipc_bench --rate) instead: latency
against the rate asked for, both on log axes, one panel per payload and
placement.  One colour and marker per transport; p50 solid, p99 dashed, p99.9
dotted.  The latency is counted from when each ping was due (corrected for
coordinated omission).  A solid marker is a rate held within 1% (achieved
at least 99% of it; pings sent late are in the latency drawn), a hollow one a
rate that was not held, a cross at the foot of the panel an open-loop result
that failed or was skipped.  The closed-loop
result of the same transport, when the files hold it, stands at the right of
the panel, past a grey line, labelled "closed loop".  With several files, each
series is named after its file too.

--heatmap draws the results of ipc_bench --placement pairs instead: one
matrix per transport and payload, producer CPU by consumer CPU, each cell
the pair's p50 written in it on a log colour scale, topology borders (core,
last-level cache, node) where the file's context has them, and the floor's
matrix (floor_cacheline_ns) beside when the results carry it
(scripts/plot_heatmap.py).

--vs-fanout draws the results of ipc_bench --fanout: the slowest receiver's
delivery p50 (solid) and p99 (dashed) against the fan-out N, log axes, one
colour per transport, and below it spread_p99 against N; a fan-out of 1,
which carries no delivery stamp, is the round trip, hollow
(scripts/plot_fanout.py).

Needs matplotlib (Debian: python3-matplotlib; scripts/test.sh installs it).
Exit status: 0 written, 1 matplotlib missing, 2 bad input (missing file,
malformed, too deep or over 16 MiB, not Google Benchmark JSON, a time that is
0, negative, NaN or over a day, more than 2000 bars, unknown output format;
with --vs-rate: no open-loop result; with --heatmap: no pair result; with --vs-fanout: no fan-out result), or a standard output that cannot be
written, in one line on stderr.
"""
import math
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_json import BadInput, format_ns, load  # noqa: E402
from terminal import BAD, ArgumentParser, run, say  # noqa: E402
import plot_fanout  # noqa: E402
import plot_heatmap  # noqa: E402

# Okabe and Ito's colour-blind-safe palette, without its black (which would
# hide the whiskers); past seven transports the colours come round again with
# a hatch, so that every transport has a style of its own.
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
HATCHES = ("", "////", "....", "xxxx")

# Past seven transports of the rate plot, colours come round again with another marker.
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
# The rate plot's percentiles: counter, legend label, line style.
RATE_PERCENTILES = (("p50_ns", "p50", "solid"), ("p99_ns", "p99", "dashed"), ("p999_ns", "p99.9", "dotted"))

NAME = re.compile(r"^(?P<transport>[^/]+)/payload:(?P<payload>\d+)/placement:(?P<placement>[^/]+)$")
# Every parameter ipc_bench puts in a name; no /rate: is the closed loop.
RATE_NAME = re.compile(r"^(?P<transport>[^/]+)/payload:(?P<payload>\d+)/placement:(?P<placement>[^/]+)"
                       r"(?:/rate:(?P<rate>\d+))?(?P<check>/check:full)?$")
DEBIAN_PYTHON = "/usr/bin/python3"
# The most bars (transports x payloads and placements) and rate-plot points drawn: past them the picture is
# too wide to read and to hold in memory.  A run of every transport at 8 payloads and 7 placements is 840.
MAX_BARS = 2000


def pyplot():
    """matplotlib.pyplot with a file-only backend.

    Debian's python3-matplotlib lives in /usr/lib/python3/dist-packages,
    which only Debian's /usr/bin/python3 sees: a python3 found earlier on
    PATH (pyenv, a virtualenv) does not.  Run again under Debian's before
    giving up.
    """
    try:
        import matplotlib
    except ImportError:
        if (os.path.exists(DEBIAN_PYTHON) and os.path.realpath(sys.executable) != os.path.realpath(DEBIAN_PYTHON)
                and not os.environ.get("IPC_BENCH_PLOT_REEXEC")):
            os.environ["IPC_BENCH_PLOT_REEXEC"] = "1"
            os.execv(DEBIAN_PYTHON, [DEBIAN_PYTHON, os.path.abspath(__file__)] + sys.argv[1:])
        print("plot.py: needs matplotlib: apt-get install python3-matplotlib", file=sys.stderr)
        sys.exit(1)
    matplotlib.use("Agg")
    # Text as text, not glyph outlines: a smaller SVG whose labels can be searched.
    matplotlib.rcParams["svg.fonttype"] = "none"
    # Stable element ids, so the same data gives the same SVG.
    matplotlib.rcParams["svg.hashsalt"] = "ipc_bench"
    import matplotlib.pyplot as plt
    return plt


def bar_style(index):
    """(colour, hatch) of the index-th transport: distinct for len(PALETTE) * len(HATCHES) transports."""
    return PALETTE[index % len(PALETTE)], HATCHES[index // len(PALETTE) % len(HATCHES)]


def payload_label(size):
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size} B"


def panel_title(path, ctx):
    """Machine, kernel, placement and build, from what the file's context holds."""
    machine = ctx.get("cpu_model", "unknown CPU")
    if "num_cpus" in ctx:
        machine += f", {ctx['num_cpus']} CPUs"
    if ctx.get("virtualization"):
        machine += f", {ctx['virtualization']}"
    if ctx.get("host_name"):
        machine = f"{ctx['host_name']}: {machine}"
    run = []
    if ctx.get("kernel"):
        run.append(str(ctx["kernel"]))
    if ctx.get("placement"):
        run.append(f"placement {ctx['placement']}" + (f" (cpus {ctx['cpus']})" if ctx.get("cpus") else ""))
    build = ctx.get("ipc_bench_build_type")
    when = str(ctx.get("date", ""))[:10]
    last = ", ".join(x for x in (os.path.basename(path), f"{build} build" if build else "", when) if x)
    return "\n".join(x for x in (machine, ", ".join(run), last) if x)


def parse(results):
    """[(transport, payload or None, placement or None, Result)] in file order."""
    out = []
    for r in results:
        m = NAME.match(r.name)
        if m:
            out.append((m["transport"], int(m["payload"]), m["placement"], r))
        else:  # not an ipc_bench name: one bar per name
            out.append((r.name, None, None, r))
    return out


def figure(plt, panels, title=None):
    """The matplotlib Figure: one panel per file, a legend beside the last.  None when every result failed."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    # The same groups, transports and styles in every panel, so they line up.
    transports, groups = [], []
    for _, _, entries in panels:
        for transport, payload, placement, _ in entries:
            if transport not in transports:
                transports.append(transport)
            if (payload, placement) not in groups:
                groups.append((payload, placement))
    groups.sort(key=lambda g: (g[0] is None, g[0] or 0))  # by payload; placements keep their order
    several_placements = len({placement for _, placement in groups}) > 1
    width = 0.8 / len(transports)

    values = [v for _, _, entries in panels for *_, r in entries if not r.error
              for v in (r.time_ns(), r.counter("p50_ns"), r.counter("p99_ns")) if v]
    if not values:
        return None
    # From a whole decade below the smallest, so that it has a labelled tick under it; room above the
    # largest for the value labels ("median 558.7 us", about 3.6 pt a character at 6.5 pt, rotated) in the
    # panel's height of about 250 pt: h decades of room for a label of L pt take h >= span * L / (250 - L).
    low = 10 ** math.floor(math.log10(min(values) / 2))
    label_pt = 3.6 * max(len(f"{r.figure} {format_ns(r.time_ns())}") for _, _, entries in panels
                         for *_, r in entries if not r.error and r.time_ns()) + 12
    span = math.log10(max(values) / low)
    high = max(values) * 10 ** max(math.log10(8), span * label_pt / (250 - label_pt))

    # Wide enough for a value label on every bar (0.17 in per bar; a group is 1 unit of the x axis, its bars
    # 0.8), plus the y axis of each panel and the legend beside them; side by side up to 22 in, else stacked.
    axes_width = max(2.5, (len(groups) + 0.2) * len(transports) / 0.8 * 0.17)
    side_by_side = len(panels) * (axes_width + 1.0) + 1.8 <= 22
    rows, cols = (1, len(panels)) if side_by_side else (len(panels), 1)
    fig, axes = plt.subplots(rows, cols, sharey=True, squeeze=False, layout="constrained",
                             figsize=(cols * (axes_width + 1.0) + 1.8, 4.6 * rows + 0.6))
    whisker_kinds, marks = set(), set()
    for ax, (path, ctx, entries) in zip(axes.flat, panels):
        ax.set_yscale("log")
        ax.set_ylim(low, high)
        for transport, payload, placement, r in entries:
            index = transports.index(transport)
            x = groups.index((payload, placement)) + (index - (len(transports) - 1) / 2) * width
            if r.error or r.time_ns() is None:
                # In the bar's place, said in words: a gap would read as "not asked for".
                mark = "skipped" if r.skipped else "failed"
                colour = "dimgray" if r.skipped else "red"
                ax.plot([x], [low * 1.3], marker="x", color=colour, markersize=8, mew=2)
                ax.text(x, low * 1.9, mark, rotation=90, ha="center", va="bottom", fontsize=6.5, color=colour)
                marks.add(mark)
                continue
            value = r.time_ns()
            colour, hatch = bar_style(index)
            ax.bar(x, value, width * 0.9, color=colour, hatch=hatch, edgecolor="black", linewidth=0.4, gid=transport)
            p50, p99 = r.counter("p50_ns"), r.counter("p99_ns")
            top = value
            if p50 and p99:
                if p99 >= value:
                    # From the bar's top up to p99.
                    ax.vlines(x, value, p99, color="black", linewidth=1.0)
                    whisker_kinds.add("percentiles")
                else:
                    # p99 under the mean (a few very slow round trips carry the mean): a line down into the bar
                    # would read as its error bar; a hollow triangle at p99, inside the bar, does not.
                    ax.plot([x], [p99], marker="v", markersize=4, markerfacecolor="white", markeredgecolor="black",
                            markeredgewidth=0.8, linestyle="none")
                    whisker_kinds.add("p99 below")
                ax.plot([x], [p50], marker="o", markersize=2.5, color="black")
                top = max(top, p99, p50)
            elif r.kind == "repetitions":
                lo, hi = min(r.samples), max(r.samples)
                ax.vlines(x, lo, hi, color="dimgray", linewidth=1.1, linestyles="dashed")
                ax.hlines([lo, hi], x - width * 0.2, x + width * 0.2, color="dimgray", linewidth=1.1)
                whisker_kinds.add("repetitions")
                top = max(top, hi)
            # Which figure the bar is: the mean of one run's round trips, or the median of the repetitions.
            ax.text(x, top * 1.15, f"{r.figure} {format_ns(value)}", rotation=90, ha="center", va="bottom",
                    fontsize=6.5)
        # ipc_bench runs every transport at every payload and placement asked for and leaves out of its
        # JSON what it skipped (shm_spin at same): a transport of this file missing from a payload and
        # placement of this file was skipped.  Said in its place, not left a gap.
        ran = {(transport, payload, placement) for transport, payload, placement, _ in entries}
        for transport in dict.fromkeys(t for t, *_ in entries):
            for payload, placement in dict.fromkeys((p, pl) for _, p, pl, _ in entries):
                if payload is not None and (transport, payload, placement) not in ran:
                    index = transports.index(transport)
                    x = groups.index((payload, placement)) + (index - (len(transports) - 1) / 2) * width
                    ax.plot([x], [low * 1.3], marker="x", color="dimgray", markersize=8, mew=2)
                    ax.text(x, low * 1.9, "skipped", rotation=90, ha="center", va="bottom", fontsize=6.5,
                            color="dimgray")
                    marks.add("skipped")
        ax.set_xticks(range(len(groups)))
        ax.set_xticklabels([
            (payload_label(p) if p is not None else "") + (f"\n{pl}" if several_placements and pl else "")
            for p, pl in groups], fontsize=8)
        ax.set_xlim(-0.6, len(groups) - 0.4)
        ax.set_title(panel_title(path, ctx), fontsize=7.5)
        ax.yaxis.set_major_locator(LogLocator(base=10))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_ns(v)))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.grid(axis="y", which="major", linewidth=0.4, alpha=0.6)
        ax.set_axisbelow(True)
        ax.set_ylabel("time per round trip (log scale)" if ax in axes[:, 0] else "")
        if not entries:
            ax.text(0.5, 0.5, "no results", transform=ax.transAxes, ha="center")

    handles = [Patch(facecolor=bar_style(i)[0], hatch=bar_style(i)[1], edgecolor="black", linewidth=0.4, label=t)
               for i, t in enumerate(transports)]
    if "percentiles" in whisker_kinds or "p99 below" in whisker_kinds:
        handles.append(Line2D([], [], color="black", marker="o", markersize=2.5, linestyle="none", label="p50"))
    if "percentiles" in whisker_kinds:
        handles.append(Line2D([], [], color="black", linewidth=1.0, label="line from the bar up to p99"))
    if "p99 below" in whisker_kinds:
        handles.append(Line2D([], [], color="black", marker="v", markersize=4, markerfacecolor="white",
                              markeredgewidth=0.8, linestyle="none", label="p99 under the mean (slow tail)"))
    if "repetitions" in whisker_kinds:
        handles.append(Line2D([], [], color="dimgray", linestyle="dashed", label="min to max of repetitions"))
    if "failed" in marks:
        handles.append(Line2D([], [], color="red", marker="x", mew=2, linestyle="", label="failed"))
    if "skipped" in marks:
        handles.append(Line2D([], [], color="dimgray", marker="x", mew=2, linestyle="", label="skipped"))
    # Beside the panels, never over the bars or the payload labels.
    axes.flat[cols - 1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0,
                               fontsize=8, frameon=False)
    fig.suptitle(title or "ipc_bench: time per round trip, lower is better\n"
                 "(bar: the mean of the timed batch, or the median of the repetitions, as its label says)",
                 fontsize=9.5)
    return fig


def rate_label(rate):
    """1k, 50k, 1.5M: messages per second, short enough for a tick."""
    for unit, scale in (("M", 1e6), ("k", 1e3)):
        if rate >= scale:
            return f"{rate / scale:.3g}{unit}"
    return f"{rate:.3g}"


def series_style(index):
    """(colour, marker) of the index-th series of the rate plot: distinct for len(PALETTE) * len(MARKERS)."""
    return PALETTE[index % len(PALETTE)], MARKERS[(index + index // len(PALETTE)) % len(MARKERS)]


def rate_held(r, rate):
    """Whether every repetition achieved the rate within 1% (at least 99% of it).  Pings sent late on a rate
    so held are not a rate missed: their lateness is in the latency drawn, counted from when each was due."""
    achieved = r.counters.get("achieved_rate") or [r.counter("achieved_rate")]
    return all(a is None or a >= 0.99 * rate * (1 - 1e-12) for a in achieved)


def rate_panels(files):
    """{(payload, placement): {series: {"open": [(rate, Result)], "failed": [(rate, Result)],
    "closed": Result or None}}}, file order.

    A series is a transport, with "check:full" when every byte was compared (another measurement) and
    the file's name when there are several files.  A failed (or skipped) open-loop result has no latency to
    draw but its place is marked; names that are not ipc_bench's are left out.
    """
    panels = {}
    for path, _, results in files:
        for r in results:
            m = RATE_NAME.match(r.name)
            if not m or (r.error and not m["rate"]):
                continue
            series = m["transport"] + (" check:full" if m["check"] else "")
            if len(files) > 1:
                series += f" ({os.path.basename(path)})"
            entry = panels.setdefault((int(m["payload"]), m["placement"]), {}).setdefault(
                series, {"open": [], "failed": [], "closed": None})
            if m["rate"]:
                entry["failed" if r.error else "open"].append((int(m["rate"]), r))
            else:
                entry["closed"] = r
    # A panel without a successful open-loop result has no latency axis; a series without an open-loop
    # result, no rate axis.
    return {key: {name: s for name, s in series.items() if s["open"] or s["failed"]}
            for key, series in panels.items() if any(s["open"] for s in series.values())}


def rate_ticks(rates, closed_x, span_decades, axes_width_in):
    """The x ticks: the rates run, thinned so that no two labels meet, and the closed loop's place."""
    min_gap = span_decades * 0.5 / axes_width_in  # decades per half inch, a label's width
    ticks = []
    for rate in sorted(rates):
        if not ticks or math.log10(rate / ticks[-1]) >= min_gap:
            ticks.append(rate)
    return ticks + ([closed_x] if closed_x else [])


def draw_series(ax, rates_results, failed, closed, x_closed, colour, marker):
    """One series in one panel: a line per percentile over the rates, a solid marker where the rate was held
    within 1% and a hollow one where it was not, a cross at the foot of the panel where the result failed or
    was skipped, and the closed loop's percentiles at x_closed.  Returns the set of what was drawn ("held",
    "not held", "failed", "skipped")."""
    points = sorted(rates_results, key=lambda p: p[0])
    states = ["held" if rate_held(r, rate) else "not held" for rate, r in points]
    for counter, _, style in RATE_PERCENTILES:
        xs = [rate for rate, r in points if r.counter(counter)]
        ys = [r.counter(counter) for _, r in points if r.counter(counter)]
        ax.plot(xs, ys, color=colour, linestyle=style, linewidth=1.2)
        for (rate, r), state in zip(points, states):
            if r.counter(counter):
                ax.plot([rate], [r.counter(counter)], linestyle="none", marker=marker, markersize=4.5, color=colour,
                        markerfacecolor=colour if state == "held" else "white", markeredgewidth=1.0)
    drawn = set(states)
    for rate, r in failed:
        # x in data, y in the panel's fraction: at its foot whatever the latencies.
        ax.plot([rate], [0.04], transform=ax.get_xaxis_transform(), linestyle="none", marker="x", markersize=6,
                mew=1.8, color="dimgray" if r.skipped else "red")
        drawn.add("skipped" if r.skipped else "failed")
    if closed is not None and x_closed:
        ys = [closed.counter(c) for c, _, _ in RATE_PERCENTILES if closed.counter(c)]
        # p50 to p99.9 of the closed loop, a thin line through them, so that the three read as one result.
        ax.plot([x_closed] * len(ys), ys, color=colour, linewidth=0.8, marker=marker, markersize=4.5)
    return drawn


def closed_x(x_closed, index, count):
    """Where the index-th series' closed loop stands: side by side around x_closed, so that equal values of
    two transports do not hide each other, and within the 0.3 decades either side that are the closed loop's."""
    if not x_closed:
        return None
    step = min(0.06, 0.4 / max(1, count - 1))
    return x_closed * 10 ** ((index - (count - 1) / 2) * step)


def rate_figure(plt, panels, title):
    """The latency-against-rate Figure: one panel per (payload, placement), a legend beside the top row."""
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, NullFormatter

    keys = sorted(panels, key=lambda k: (k[0], k[1]))
    names = list(dict.fromkeys(name for k in keys for name in panels[k]))
    rates = sorted({rate for k in keys for s in panels[k].values() for rate, _ in s["open"] + s["failed"]})
    any_closed = any(s["closed"] for k in keys for s in panels[k].values())
    # The closed loop two-thirds of a decade right of the highest rate, past a line at a third.
    x_closed = rates[-1] * 10 ** 0.6 if any_closed else None
    x_low, x_high = rates[0] / 10 ** 0.3, (x_closed or rates[-1]) * 10 ** 0.3

    cols = min(len(keys), 3)
    rows = math.ceil(len(keys) / cols)
    axes_width = 3.6
    fig, axes = plt.subplots(rows, cols, sharex=True, sharey=True, squeeze=False, layout="constrained",
                             figsize=(cols * (axes_width + 0.9) + 1.9, rows * 3.3 + 0.9))
    ticks = rate_ticks(rates, x_closed, math.log10(x_high / x_low), axes_width)
    drawn = set()
    for ax, key in zip(axes.flat, keys):
        ax.set_xscale("log")
        ax.set_yscale("log")
        for name, s in panels[key].items():
            colour, marker = series_style(names.index(name))
            drawn |= draw_series(ax, s["open"], s["failed"], s["closed"],
                                 closed_x(x_closed, names.index(name), len(names)), colour, marker)
        if x_closed:
            ax.axvline(rates[-1] * 10 ** 0.3, color="gray", linewidth=0.8)
        ax.set_xlim(x_low, x_high)
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: "closed\nloop" if v == x_closed else rate_label(v)))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.yaxis.set_major_locator(LogLocator(base=10))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_ns(v)))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.tick_params(labelsize=7.5)
        ax.grid(which="major", linewidth=0.4, alpha=0.6)
        ax.set_title(f"{payload_label(key[0])}, placement {key[1]}", fontsize=8.5)
        if ax in axes[-1, :] or ax is axes.flat[len(keys) - 1]:
            ax.set_xlabel("rate asked for, msgs/s (log scale)", fontsize=8)
        if ax in axes[:, 0]:
            ax.set_ylabel("latency from when due (log scale)", fontsize=8)
    for ax in axes.flat[len(keys):]:
        ax.set_visible(False)

    handles = [Line2D([], [], color=series_style(i)[0], marker=series_style(i)[1], markersize=4.5, label=name)
               for i, name in enumerate(names)]
    handles += [Line2D([], [], color="black", linestyle=style, linewidth=1.2, label=label)
                for _, label, style in RATE_PERCENTILES]
    if "not held" in drawn:
        handles.append(Line2D([], [], color="black", marker="o", linestyle="none", label="rate held (within 1%)"))
        handles.append(Line2D([], [], color="black", marker="o", markerfacecolor="white", linestyle="none",
                              label="rate not held"))
    for state, colour in (("failed", "red"), ("skipped", "dimgray")):
        if state in drawn:
            handles.append(Line2D([], [], color=colour, marker="x", mew=1.8, linestyle="none", label=state))
    if x_closed:
        handles.append(Line2D([], [], color="gray", marker="o", markersize=4.5, linewidth=0.8,
                              label="closed loop: p50, p99, p99.9"))
    # Beside the top row's last panel, never over a line.
    axes[0, cols - 1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.03, 1.0), borderaxespad=0,
                             fontsize=8, frameon=False)
    fig.suptitle(title or "ipc_bench: latency against the rate asked for (open loop), lower is better\n"
                 "(from when each ping was due, so a queue behind a late ping counts)", fontsize=9.5)
    return fig


def checked_panels(files, vs_rate):
    """(the panels to draw, None) or (None, why there is nothing): found before matplotlib is looked for,
    so that bad input is exit 2 on a machine without it too."""
    names = ", ".join(path for path, _, _ in files)
    if vs_rate:
        panels = rate_panels(files)
        if not panels:
            return None, f"no successful open-loop results (names with /rate:R, from ipc_bench --rate) in {names}"
        points = sum(len(s["open"]) + len(s["failed"]) + 1 for series in panels.values() for s in series.values())
        if points > MAX_BARS or len(panels) > 60:
            return None, (f"too many open-loop results for one picture: {len(panels)} panels, {points} points "
                          f"(at most 60 panels, {MAX_BARS} points): plot fewer (ipc_bench -t, -p, --rate)")
        return panels, None
    panels = [(path, ctx, parse(results)) for path, ctx, results in files]
    if not any(entries for _, _, entries in panels):
        return None, f"no results in {names}"
    transports = {transport for _, _, entries in panels for transport, *_ in entries}
    groups = {(payload, placement) for _, _, entries in panels for _, payload, placement, _ in entries}
    if len(transports) * len(groups) > MAX_BARS:
        return None, (f"too many results for one picture: {len(transports)} transports (or names) x {len(groups)} "
                      f"payloads and placements, over {MAX_BARS} bars: plot fewer (ipc_bench -t, -p, --placement)")
    return panels, None


def main(argv=None):
    parser = ArgumentParser(prog="plot.py", description=__doc__.split("\n\n", 1)[0],
                            epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("files", nargs="+", metavar="RESULTS.json",
                        help="ipc_bench --json output: one panel each (--vs-rate: one per payload and placement)")
    parser.add_argument("-o", "--output", required=True, metavar="OUT.svg|OUT.png",
                        help="the picture; the format follows the extension")
    parser.add_argument("--title", help="the figure's title (default: a description of what is plotted)")
    parser.add_argument("--vs-rate", action="store_true",
                        help="latency (p50, p99, p99.9) against rate from open-loop results (ipc_bench --rate), "
                             "one panel per payload and placement")
    parser.add_argument("--vs-fanout", action="store_true",
                        help="the slowest receiver's p50 and p99, and the spread, against N (ipc_bench --fanout)")
    parser.add_argument("--heatmap", action="store_true",
                        help="a matrix of p50 per CPU pair (ipc_bench --placement pairs), per transport and payload")
    args = parser.parse_args(argv)

    fmt = os.path.splitext(args.output)[1].lower().lstrip(".")
    if fmt not in ("svg", "png"):
        say(f"plot.py: {args.output}: the output must end in .svg or .png")
        return BAD
    if not os.path.isdir(os.path.dirname(os.path.abspath(args.output))):
        say(f"plot.py: cannot write {args.output}: no such directory")
        return BAD
    try:
        files = [(path, *load(path)) for path in args.files]
    except BadInput as e:
        say(f"plot.py: {e}")
        return BAD
    if args.vs_rate + args.heatmap + args.vs_fanout > 1:
        say("plot.py: give one of --vs-rate, --vs-fanout and --heatmap")
        return BAD
    if args.heatmap or args.vs_fanout:
        panels, error = (plot_heatmap if args.heatmap else plot_fanout).check(files)
    else:
        panels, error = checked_panels(files, args.vs_rate)
    if error:
        say(f"plot.py: {error}")
        return BAD
    draw = (plot_heatmap.heatmap_figure if args.heatmap else plot_fanout.fanout_figure if args.vs_fanout
            else rate_figure if args.vs_rate else figure)
    fig = draw(pyplot(), panels, args.title)
    if fig is None:
        say("plot.py: every result failed: nothing to plot")
        return BAD
    try:
        # tight: the saved picture takes in every title, label and the legend beside the panels.
        fig.savefig(args.output, format=fmt, dpi=110, bbox_inches="tight", pad_inches=0.15,
                    metadata={"Date": None} if fmt == "svg" else None)
    except OSError as e:
        say(f"plot.py: cannot write {args.output}: {e.strerror or e}")
        return BAD
    return 0


if __name__ == "__main__":
    run("plot.py", main)

#!/usr/bin/env python3
"""Plots ipc_bench results: time per round trip per transport, log axis.

  scripts/plot.py RESULTS.json [more.json ...] -o OUT.svg|OUT.png

One panel per file, side by side on a shared axis (a cross-machine or
before/after view), each titled with the machine, kernel, placement and
build from the file's context.  In a panel, bars are grouped by payload (and
placement, when the files hold several); one bar per transport.  A bar is
the time per round trip: the mean over the timed batch, or the median of the
repetitions.  When the results carry p50_ns and p99_ns, a line runs from the
bar's top to p99 and a dot marks p50; else a dashed whisker spans the
repetitions (min to max) when there are several.  A failed benchmark is
marked with a red x.  Every transport has a colour of its own from a
colour-blind-safe palette, with hatching past its seven colours; the legend
stands beside the panels.

Needs matplotlib (Debian: python3-matplotlib; scripts/test.sh installs it).
Exit status: 0 written, 1 matplotlib missing, 2 bad input (missing file,
malformed JSON, not Google Benchmark JSON, unknown output format).
"""
import argparse
import math
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_json import BadInput, format_ns, load  # noqa: E402

# Okabe and Ito's colour-blind-safe palette, without its black (which would
# hide the whiskers); past seven transports the colours come round again with
# a hatch, so that every transport has a style of its own.
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
HATCHES = ("", "////", "....", "xxxx")

NAME = re.compile(r"^(?P<transport>[^/]+)/payload:(?P<payload>\d+)/placement:(?P<placement>[^/]+)$")
DEBIAN_PYTHON = "/usr/bin/python3"


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
    # largest for the value labels.
    low, high = 10 ** math.floor(math.log10(min(values) / 2)), max(values) * 8

    # Wide enough for a value label on every bar (0.17 in per bar; a group is 1 unit of the x axis, its bars
    # 0.8), plus the y axis of each panel and the legend beside them; side by side up to 22 in, else stacked.
    axes_width = max(2.5, (len(groups) + 0.2) * len(transports) / 0.8 * 0.17)
    side_by_side = len(panels) * (axes_width + 1.0) + 1.8 <= 22
    rows, cols = (1, len(panels)) if side_by_side else (len(panels), 1)
    fig, axes = plt.subplots(rows, cols, sharey=True, squeeze=False, layout="constrained",
                             figsize=(cols * (axes_width + 1.0) + 1.8, 4.6 * rows + 0.6))
    whisker_kinds = set()
    for ax, (path, ctx, entries) in zip(axes.flat, panels):
        ax.set_yscale("log")
        ax.set_ylim(low, high)
        for transport, payload, placement, r in entries:
            index = transports.index(transport)
            x = groups.index((payload, placement)) + (index - (len(transports) - 1) / 2) * width
            if r.error or r.time_ns() is None:
                ax.plot([x], [low * 1.3], marker="x", color="red", markersize=8, mew=2)
                continue
            value = r.time_ns()
            colour, hatch = bar_style(index)
            ax.bar(x, value, width * 0.9, color=colour, hatch=hatch, edgecolor="black", linewidth=0.4, gid=transport)
            p50, p99 = r.counter("p50_ns"), r.counter("p99_ns")
            top = value
            if p50 and p99:
                # From the bar's top to p99, a dot at p50: the whisker always touches its bar, even when the
                # distribution pass's timestamps put p50 above the mean.
                ax.vlines(x, min(value, p99), max(value, p99), color="black", linewidth=1.0)
                ax.plot([x], [p50], marker="o", markersize=2.5, color="black")
                whisker_kinds.add("percentiles")
                top = max(top, p99, p50)
            elif r.kind == "repetitions":
                lo, hi = min(r.samples), max(r.samples)
                ax.vlines(x, lo, hi, color="dimgray", linewidth=1.1, linestyles="dashed")
                ax.hlines([lo, hi], x - width * 0.2, x + width * 0.2, color="dimgray", linewidth=1.1)
                whisker_kinds.add("repetitions")
                top = max(top, hi)
            ax.text(x, top * 1.15, format_ns(value), rotation=90, ha="center", va="bottom", fontsize=6.5)
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
    if "percentiles" in whisker_kinds:
        handles.append(Line2D([], [], color="black", marker="o", markersize=2.5, label="p50 (dot), line to p99"))
    if "repetitions" in whisker_kinds:
        handles.append(Line2D([], [], color="dimgray", linestyle="dashed", label="min to max of repetitions"))
    if any(r.error for _, _, entries in panels for *_, r in entries):
        handles.append(Line2D([], [], color="red", marker="x", linestyle="", label="failed"))
    # Beside the panels, never over the bars or the payload labels.
    axes.flat[cols - 1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0,
                               fontsize=8, frameon=False)
    fig.suptitle(title or "ipc_bench: time per round trip, lower is better\n"
                 "(bar: the mean of the timed batch, or the median of the repetitions)", fontsize=9.5)
    return fig


def main(argv=None):
    parser = argparse.ArgumentParser(prog="plot.py", description=__doc__.split("\n\n", 1)[0],
                                     epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+", metavar="RESULTS.json", help="ipc_bench --json output, one panel each")
    parser.add_argument("-o", "--output", required=True, metavar="OUT.svg|OUT.png",
                        help="the picture; the format follows the extension")
    parser.add_argument("--title", help="the figure's title (default: a description of what is plotted)")
    args = parser.parse_args(argv)

    fmt = os.path.splitext(args.output)[1].lower().lstrip(".")
    if fmt not in ("svg", "png"):
        print(f"plot.py: {args.output}: the output must end in .svg or .png", file=sys.stderr)
        return 2
    if not os.path.isdir(os.path.dirname(os.path.abspath(args.output))):
        print(f"plot.py: cannot write {args.output}: no such directory", file=sys.stderr)
        return 2
    try:
        files = [(path, *load(path)) for path in args.files]
    except BadInput as e:
        print(f"plot.py: {e}", file=sys.stderr)
        return 2
    panels = [(path, ctx, parse(results)) for path, ctx, results in files]
    if not any(entries for _, _, entries in panels):
        print("plot.py: no results in " + ", ".join(args.files), file=sys.stderr)
        return 2

    fig = figure(pyplot(), panels, args.title)
    if fig is None:
        print("plot.py: every result failed: nothing to plot", file=sys.stderr)
        return 2
    try:
        # tight: the saved picture takes in every title, label and the legend beside the panels.
        fig.savefig(args.output, format=fmt, dpi=110, bbox_inches="tight", pad_inches=0.15,
                    metadata={"Date": None} if fmt == "svg" else None)
    except OSError as e:
        print(f"plot.py: cannot write {args.output}: {e.strerror or e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

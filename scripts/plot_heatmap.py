"""The heatmap of ipc_bench --placement pairs, drawn by scripts/plot.py --heatmap.

One matrix per transport and payload: producer CPU down, consumer CPU across,
each cell the pair's p50 round trip (the mean where a result has no p50),
its value written in it, on a logarithmic colour scale labelled with its
unit.  Where the file's context carries the machine's topology (the
"topology" key ipc_bench writes), lines between CPUs mark where the core
(thin), the last-level cache (medium) and the NUMA node (thick) change.
Where the results carry the floor of their pair (floor_cacheline_ns), the
floor's matrix stands beside, on its own scale.  The diagonal (a CPU with
itself) is no pair and stays grey.
"""
import math
import re

PAIR_NAME = re.compile(r"^(?P<transport>[^/]+)/payload:(?P<payload>\d+)/placement:cpus-(?P<p>\d+)-(?P<c>\d+)$")
TOPOLOGY_ENTRY = re.compile(r"^(?P<cpu>\d+):core=(?P<core>\d+|\?),llc=(?P<llc>\d+|\?),node=(?P<node>\d+|\?)$")
# Border widths where core, last-level cache and node change between two neighbouring CPUs.
BORDERS = (("core", 0.6), ("llc", 1.4), ("node", 2.6))
# The least factor between the colour scale's two ends.
MIN_SPAN = 4.0
# The most CPUs drawn: a cell must keep room for its value.
MAX_CPUS = 128


def short_ns(ns):
    """A cell's text: three significant digits at most, so that it fits at 64 CPUs."""
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g}{unit}"
    return f"{ns:.3g}ns"


def topology(ctx):
    """{cpu: {"core": c, "llc": l, "node": n}} from the context's "topology", unknown values left out."""
    out = {}
    for entry in str(ctx.get("topology", "")).split():
        m = TOPOLOGY_ENTRY.match(entry)
        if m:
            out[int(m["cpu"])] = {k: int(m[k]) for k in ("core", "llc", "node") if m[k] != "?"}
    return out


def matrices(files):
    """{(transport, payload): {"cells": {(p, c): ns}, "floor": {(p, c): ns}, "ctx": ctx}} from the pair results."""
    out = {}
    for _path, ctx, results in files:
        for r in results:
            m = PAIR_NAME.match(r.name)
            if not m or r.error:
                continue
            value = r.counter("p50_ns") or r.time_ns()
            if not value:
                continue
            entry = out.setdefault((m["transport"], int(m["payload"])), {"cells": {}, "floor": {}, "ctx": ctx})
            pair = (int(m["p"]), int(m["c"]))
            entry["cells"][pair] = value
            floor = r.counter("floor_cacheline_ns")
            if floor:
                entry["floor"][pair] = floor
    return out


def check(files):
    """(the matrices, None) or (None, why there is nothing to draw)."""
    found = matrices(files)
    names = ", ".join(path for path, _, _ in files)
    if not found:
        return None, f"no successful --placement pairs results (names with placement:cpus-P-C) in {names}"
    for (transport, payload), entry in found.items():
        cpus = {cpu for pair in entry["cells"] for cpu in pair}
        if len(cpus) > MAX_CPUS:
            return None, f"{transport} {payload} B spans {len(cpus)} CPUs, over the {MAX_CPUS} drawn"
    if len(found) > 40:
        return None, f"too many matrices for one picture: {len(found)} (at most 40): plot fewer (ipc_bench -t, -p)"
    return found, None


def draw_matrix(fig, ax, cells, cpus, topo, title, label):
    """One matrix on `ax`: cells coloured on a log scale with a labelled colour bar, values written in."""
    import numpy as np
    from matplotlib.colors import LogNorm
    from matplotlib.ticker import FuncFormatter

    index = {cpu: i for i, cpu in enumerate(cpus)}
    grid = np.full((len(cpus), len(cpus)), np.nan)
    for (p, c), ns in cells.items():
        grid[index[p], index[c]] = ns
    values = [v for v in cells.values() if v > 0]
    low, high = min(values), max(values)
    # At least a factor MIN_SPAN from end to end, around the values' middle: a 3% difference between two
    # cells must not take the scale's two ends.
    if high < low * MIN_SPAN:
        mid = math.sqrt(low * high)
        low, high = mid / math.sqrt(MIN_SPAN), mid * math.sqrt(MIN_SPAN)
    ax.set_facecolor("#d9d9d9")
    image = ax.imshow(grid, norm=LogNorm(vmin=low, vmax=high), cmap="viridis", interpolation="nearest")
    n = len(cpus)
    # Cell text sized to the cell: the figure gives each cell about 0.42 in up to 16 CPUs, less beyond.
    size = max(2.5, min(9.0, 130.0 / max(n, 1) / 1.4))
    mid = math.sqrt(low * high)
    for (p, c), ns in cells.items():
        ax.text(index[c], index[p], short_ns(ns), ha="center", va="center", fontsize=size,
                color="white" if ns < mid else "black")
    step = 1 if n <= 32 else 4
    ticks = list(range(0, n, step))
    ax.set_xticks(ticks, [str(cpus[i]) for i in ticks], fontsize=max(4.0, size))
    ax.set_yticks(ticks, [str(cpus[i]) for i in ticks], fontsize=max(4.0, size))
    ax.set_xlabel("consumer CPU")
    ax.set_ylabel("producer CPU")
    ax.set_title(title, fontsize=9)
    for key, width in BORDERS:
        for i in range(1, n):
            a, b = topo.get(cpus[i - 1], {}).get(key), topo.get(cpus[i], {}).get(key)
            if a is not None and b is not None and a != b:
                ax.axvline(i - 0.5, color="black", linewidth=width)
                ax.axhline(i - 0.5, color="black", linewidth=width)
    bar = fig.colorbar(image, ax=ax, fraction=0.046, pad=0.03)
    bar.set_label(label, fontsize=8)
    # Ticks in the cells' own words (150us), not 1.5 x 10^5.
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: short_ns(v)))
    bar.ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: short_ns(v)))
    bar.ax.tick_params(labelsize=7, which="both")
    return ax


def heatmap_figure(plt, found, title=None):
    """The Figure: one row per matrix, its floor beside when the results carry it."""
    rows = sorted(found.items(), key=lambda item: (item[0][0], item[0][1]))
    cols = 2 if any(entry["floor"] for _, entry in rows) else 1
    n = max(len({cpu for pair in entry["cells"] for cpu in pair}) for _, entry in rows)
    cell_in = 0.42 if n <= 16 else max(0.16, 7.0 / n)
    side = max(3.2, n * cell_in + 1.6)
    fig, axes = plt.subplots(len(rows), cols, squeeze=False, layout="constrained",
                             figsize=(cols * (side + 1.0), len(rows) * side + (0.4 if title else 0)))
    for row, ((transport, payload), entry) in enumerate(rows):
        cpus = sorted({cpu for pair in entry["cells"] for cpu in pair})
        topo = topology(entry["ctx"])
        draw_matrix(fig, axes[row][0], entry["cells"], cpus, topo, f"{transport}, {payload} B: p50 round trip",
                    "p50 round trip (log scale, ns)")
        if cols == 2:
            if entry["floor"]:
                draw_matrix(fig, axes[row][1], entry["floor"], cpus, topo,
                            "floor: cache-line round trip (same run)", "floor_cacheline_ns (log scale, ns)")
            else:
                axes[row][1].set_axis_off()
    if title:
        fig.suptitle(title)
    return fig


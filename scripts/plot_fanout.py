"""The fan-out picture of ipc_bench --fanout, drawn by scripts/plot.py --vs-fanout.

One column per payload and placement.  Top: the slowest receiver's delivery
latency against the fan-out N, p50 solid and p99 dashed, log on both axes,
one colour and marker per transport; the slowest receiver is the one with
the largest r<i>_p50_ns (for p50) and r<i>_p99_ns (for p99).  A fan-out of 1
carries no delivery stamp (it is today's round trip, untouched), so its
point is the round trip's own p50 and p99, drawn hollow.  Bottom: spread_p99,
the slowest receiver's p99 over the fastest's, against N.
"""
import re

FANOUT_NAME = re.compile(r"^(?P<transport>[^/]+)/payload:(?P<payload>\d+)/placement:(?P<placement>[^/]+)"
                         r"(?:/fanout:(?P<fanout>\d+))?$")
RECEIVER = re.compile(r"^r(?P<i>\d+)_(?P<what>p50|p99)_ns$")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")


def slowest(result, what):
    """The largest r<i>_<what>_ns of a fan-out result, or None."""
    values = [result.counter(name) for name in result.counters if (m := RECEIVER.match(name)) and m["what"] == what]
    values = [v for v in values if v]
    return max(values) if values else None


def panels(files):
    """{(payload, placement): {transport: {n: (p50, p99, spread or None, stamped)}}} of the results that ran."""
    out = {}
    for _path, _ctx, results in files:
        for r in results:
            m = FANOUT_NAME.match(r.name)
            if not m or r.error:
                continue
            n = int(m["fanout"] or 1)
            if n == 1:
                point = (r.counter("p50_ns"), r.counter("p99_ns"), None, False)
            else:
                point = (slowest(r, "p50"), slowest(r, "p99"), r.counter("spread_p99"), True)
            if point[0] and point[1]:
                key = (int(m["payload"]), m["placement"])
                out.setdefault(key, {}).setdefault(m["transport"], {})[n] = point
    # A panel says something only where some transport fans out.
    return {k: v for k, v in out.items() if any(n > 1 for series in v.values() for n in series)}


def check(files):
    found = panels(files)
    if not found:
        names = ", ".join(path for path, _, _ in files)
        return None, f"no successful fan-out results (names with /fanout:N, from ipc_bench --fanout) in {names}"
    if len(found) > 30:
        return None, f"too many payloads and placements for one picture: {len(found)} (at most 30)"
    return found, None


def fanout_figure(plt, found, title=None):
    from matplotlib.lines import Line2D

    keys = sorted(found)
    fig, axes = plt.subplots(2, len(keys), squeeze=False, layout="constrained", sharex="col",
                             figsize=(4.2 * len(keys) + 1.8, 6.4), height_ratios=(2.2, 1))
    transports = sorted({t for series in found.values() for t in series})
    for col, key in enumerate(keys):
        top, bottom = axes[0][col], axes[1][col]
        for index, transport in enumerate(transports):
            series = found[key].get(transport)
            if not series:
                continue
            colour, marker = PALETTE[index % len(PALETTE)], MARKERS[index // len(PALETTE) % len(MARKERS)]
            ns = sorted(series)
            for pos, style in ((0, "solid"), (1, "dashed")):
                top.plot(ns, [series[n][pos] for n in ns], color=colour, linestyle=style, linewidth=1.2)
                for n in ns:
                    top.plot([n], [series[n][pos]], marker=marker, color=colour, linestyle="none",
                             markerfacecolor=colour if series[n][3] else "white", markersize=5)
            spread = [(n, series[n][2]) for n in ns if series[n][2]]
            if spread:
                bottom.plot([n for n, _ in spread], [s for _, s in spread], color=colour, marker=marker,
                            linewidth=1.2, markersize=5)
        top.set_xscale("log", base=2)
        top.set_yscale("log")
        top.set_title(f"{key[0]} B, placement {key[1]}", fontsize=9)
        top.set_ylabel("slowest receiver's delivery (ns)")
        top.grid(True, which="both", alpha=0.3)
        bottom.set_xscale("log", base=2)
        bottom.set_xlabel("fan-out N (consumers per ping)")
        bottom.set_ylabel("spread_p99 (slowest / fastest)")
        bottom.grid(True, which="both", alpha=0.3)
        all_n = sorted({n for series in found[key].values() for n in series})
        bottom.set_xticks(all_n, [str(n) for n in all_n])
    handles = [Line2D([], [], color=PALETTE[i % len(PALETTE)], marker=MARKERS[i // len(PALETTE) % len(MARKERS)],
                      label=t) for i, t in enumerate(transports)]
    handles += [Line2D([], [], color="black", linestyle="solid", label="p50"),
                Line2D([], [], color="black", linestyle="dashed", label="p99"),
                Line2D([], [], color="black", marker="o", markerfacecolor="white", linestyle="none",
                       label="N = 1: the round trip (no delivery stamp)")]
    fig.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8)
    if title:
        fig.suptitle(title)
    return fig

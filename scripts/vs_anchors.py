#!/usr/bin/env python3
"""Compares ipc_bench with the reference C loops in ../shared/anchors.

Runs each pair (an ipc_bench transport and the anchor program of the same
mechanism, same payload, same placement) alternately, ROUNDS times, in one
session, and prints the median of each and the median of the per-round
ratios ipc_bench / anchor.  Ratios from one session are what to compare: the
machine is shared and noisy, absolute figures drift.

  scripts/vs_anchors.py [--rounds 5] [--payload 4] [--only pipe,shm_spin]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ANCHORS = os.environ.get("IPC_BENCH_ANCHORS", os.path.join(REPO, "..", "shared", "anchors"))

# (transport, placement, anchor program, extra anchor flags[, payload])
# pp_eventfd always sends the 8-byte counter: its pairs run at 8 bytes.
PAIRS = [
    ("pipe", "same", "pipe", ()),
    ("pipe", "split", "pipe", ()),
    ("tcp_nodelay", "same", "tcp", ()),
    ("tcp_nodelay", "split", "tcp", ()),
    ("tcp_nagle", "split", "tcp", ("-N",)),
    ("udp", "same", "udp", ()),
    ("udp", "split", "udp", ()),
    ("shm_spin", "split", "shm", ("-w", "20000")),
    ("unix_stream", "same", "unix", ()),
    ("unix_stream", "split", "unix", ()),
    ("eventfd", "same", "eventfd", (), 8),
    ("eventfd", "split", "eventfd", (), 8),
]


def cpus(placement):
    return "0,0" if placement == "same" else "0,1"


def run_anchor(program, placement, payload, extra):
    out = subprocess.run([os.path.join(ANCHORS, "run.sh"), program, "-c", cpus(placement), "-s", str(payload),
                          "-T", "300"] + list(extra), check=True, capture_output=True, text=True).stdout
    fields = dict(kv.split("=", 1) for kv in out.split())
    return float(fields["mean_ns"])


def run_ipc_bench(binary, transport, placement, payload):
    out = subprocess.run([binary, "-t", transport, "--placement", placement, "--cpus", cpus(placement), "-p",
                          str(payload), "--benchmark_min_time=0.3", "--benchmark_format=json"],
                         check=True, capture_output=True, text=True).stdout
    (result,) = json.loads(out)["benchmarks"]
    assert result["time_unit"] == "ns"
    return float(result["real_time"])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--payload", type=int, default=4)
    parser.add_argument("--only", help="comma-separated transports")
    parser.add_argument("--binary", default=os.path.join(REPO, "build", "release", "bin", "ipc_bench"))
    args = parser.parse_args()
    pairs = [p for p in PAIRS if not args.only or p[0] in args.only.split(",")]

    ours = {p: [] for p in pairs}
    theirs = {p: [] for p in pairs}
    for round_ in range(args.rounds):
        for pair in pairs:
            transport, placement, program, extra = pair[:4]
            payload = pair[4] if len(pair) > 4 else args.payload
            # Alternate which side goes first, so a drift does not favour one.
            steps = [lambda: ours[pair].append(run_ipc_bench(args.binary, transport, placement, payload)),
                     lambda: theirs[pair].append(run_anchor(program, placement, payload, extra))]
            for step in (steps if round_ % 2 == 0 else reversed(steps)):
                step()
        print(f"round {round_ + 1}/{args.rounds} done", file=sys.stderr)

    print(f"{args.rounds} interleaved rounds, median of each; ratio = median of per-round ipc_bench/anchor")
    print(f"{'transport':<12} {'placement':<9} {'payload':>7} {'anchor':<12} {'ipc_bench':>12} {'anchor':>12} {'ratio':>7}")
    for pair in pairs:
        transport, placement, program, extra = pair[:4]
        payload = pair[4] if len(pair) > 4 else args.payload
        ratio = statistics.median(a / b for a, b in zip(ours[pair], theirs[pair]))
        name = " ".join(["pp_" + program] + [f for f in extra if f == "-N"])
        print(f"{transport:<12} {placement:<9} {payload:>5} B {name:<12} {statistics.median(ours[pair]):>10.1f}ns "
              f"{statistics.median(theirs[pair]):>10.1f}ns {ratio:>7.3f}")


if __name__ == "__main__":
    main()

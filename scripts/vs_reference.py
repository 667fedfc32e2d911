#!/usr/bin/env python3
"""Holds ipc_bench against the reference loops of reference/ on this machine.

  scripts/vs_reference.py [--rounds 5] [-p 4] [--placement split,same] [-t pipe,udp] [--cpus A,B]

For every transport with a reference loop (ref_<transport> beside
ipc_bench) and every placement, runs ipc_bench and the reference loop in
turn, ROUNDS times, interleaved in one session: the same transport, payload,
placement, CPUs, warm-up (50 ms) and number of round trips (taken from a
first reference run of about --ms milliseconds).  Prints per pair the median
time per round trip of each and the ratio ipc_bench / reference: the median
of the per-round ratios and their range.  A ratio near 1 says ipc_bench adds
nothing of its own; compare ratios, not absolute times, which drift.

Exit status: 0 done, 1 a run failed, 2 bad input or nothing to run.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_json import format_ns  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# A spinning consumer on the producer's CPU only runs when the spinner is
# preempted: ipc_bench skips shm_spin there, so does this.
SPINNING = {"shm_spin"}


class Failed(Exception):
    pass


def reference_run(program, cpus, payload, extra):
    """Runs one reference loop; returns (round trips, mean ns)."""
    result = subprocess.run([program, "-c", cpus, "-s", str(payload), *extra], capture_output=True, text=True)
    if result.returncode != 0:
        raise Failed(result.stderr.strip() or f"{program} exited {result.returncode}")
    fields = dict(kv.split("=", 1) for kv in result.stdout.split())
    return int(fields["round_trips"]), float(fields["mean_ns"])


def ipc_bench_run(binary, transport, placement, cpus, payload, count):
    """Runs one ipc_bench benchmark of `count` round trips; returns its mean ns."""
    with tempfile.TemporaryDirectory(prefix="vs_reference_") as tmp:
        path = os.path.join(tmp, "run.json")
        result = subprocess.run([binary, "-t", transport, "-p", str(payload), "--placement", placement, "--cpus", cpus,
                                 "-n", str(count), "--json", path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True)
        if result.returncode != 0:
            raise Failed(result.stderr.strip().splitlines()[-1] if result.stderr.strip()
                         else f"ipc_bench exited {result.returncode}")
        with open(path, encoding="utf-8") as f:
            (bench,) = json.load(f)["benchmarks"]
    scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[bench["time_unit"]]
    return bench["real_time"] * scale


def positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text}")
    return value


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="vs_reference.py", description=__doc__.split("\n\n", 1)[0],
                                     epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=positive, default=5, help="interleaved rounds (default 5)")
    parser.add_argument("-p", "--payload", type=positive, default=4, help="bytes each way (default 4)")
    parser.add_argument("--placement", default="split,same", help="split, same or both (default split,same)")
    parser.add_argument("-t", "--transports", help="comma-separated (default: every one with a reference loop)")
    parser.add_argument("--cpus", help="A,B: producer and consumer CPU (default: the first two allowed)")
    parser.add_argument("--ms", type=positive, default=200, help="about how long each timed batch lasts (default 200)")
    parser.add_argument("--bin", default=os.path.join(REPO, "build", "release", "bin"),
                        help="where ipc_bench and ref_* are (default: build/release/bin, as scripts/bench.sh builds)")
    return parser.parse_args(argv)


def cpu_pair(args):
    if args.cpus:
        parts = args.cpus.split(",")
        if len(parts) != 2 or not all(p.isdigit() for p in parts):
            raise ValueError(f"--cpus: expected A,B, got '{args.cpus}'")
        return parts
    allowed = sorted(os.sched_getaffinity(0))
    return [str(allowed[0]), str(allowed[1 if len(allowed) > 1 else 0])]


def pairs(args, bin_dir, cpus):
    """[(transport, placement, cpus 'A,B')] to run."""
    available = sorted(name[4:] for name in os.listdir(bin_dir) if name.startswith("ref_"))
    wanted = args.transports.split(",") if args.transports else available
    missing = [t for t in wanted if t not in available]
    if missing:
        raise ValueError(f"no reference loop for {', '.join(missing)} (there are: {', '.join(available)})")
    placements = args.placement.split(",")
    bad = [p for p in placements if p not in ("split", "same")]
    if bad:
        raise ValueError(f"--placement: split or same, not {', '.join(bad)}")
    if "split" in placements and cpus[0] == cpus[1]:
        raise ValueError("split needs two CPUs: give --cpus A,B with A != B")
    where = {"split": ",".join(cpus), "same": f"{cpus[0]},{cpus[0]}"}
    return [(t, p, where[p]) for t in wanted for p in placements if not (p == "same" and t in SPINNING)]


def main(argv=None):
    args = parse_args(argv)
    bin_dir = os.path.abspath(args.bin)
    ipc_bench = os.path.join(bin_dir, "ipc_bench")
    if not os.access(ipc_bench, os.X_OK):
        print(f"vs_reference.py: no ipc_bench in {bin_dir}: build first (scripts/bench.sh), or give --bin",
              file=sys.stderr)
        return 2
    try:
        cpus = cpu_pair(args)
        todo = pairs(args, bin_dir, cpus)
    except ValueError as e:
        print(f"vs_reference.py: {e}", file=sys.stderr)
        return 2

    ours, theirs, counts = {}, {}, {}
    try:
        for pair in todo:
            transport, _, where = pair
            counts[pair], _ = reference_run(os.path.join(bin_dir, "ref_" + transport), where, args.payload,
                                            ["-T", str(args.ms)])
            ours[pair], theirs[pair] = [], []
        for round_ in range(args.rounds):
            for pair in todo:
                transport, placement, where = pair
                steps = [lambda: ours[pair].append(
                             ipc_bench_run(ipc_bench, transport, placement, where, args.payload, counts[pair])),
                         lambda: theirs[pair].append(reference_run(os.path.join(bin_dir, "ref_" + transport), where,
                                                                   args.payload, ["-n", str(counts[pair])])[1])]
                # Alternate which goes first, so that a drift favours neither.
                for step in steps if round_ % 2 == 0 else reversed(steps):
                    step()
            print(f"round {round_ + 1}/{args.rounds} done", file=sys.stderr)
    except Failed as e:
        print(f"vs_reference.py: {e}", file=sys.stderr)
        return 1

    print(f"ipc_bench against the reference loops: {args.rounds} interleaved rounds, payload {args.payload} B each "
          f"way, split = CPUs {','.join(cpus)}, same = CPU {cpus[0]}")
    rows = [["transport", "placement", "round trips", "ipc_bench", "reference", "ratio", "min-max"]]
    for pair in todo:
        transport, placement, _ = pair
        ratios = [a / b for a, b in zip(ours[pair], theirs[pair])]
        rows.append([transport, placement, str(counts[pair]), format_ns(statistics.median(ours[pair])),
                     format_ns(statistics.median(theirs[pair])), f"{statistics.median(ratios):.2f}",
                     f"{min(ratios):.2f}-{max(ratios):.2f}"])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip())
    print("times: medians over the rounds; ratio: median of the per-round ratios ipc_bench / reference, "
          "and their range")
    return 0


if __name__ == "__main__":
    sys.exit(main())

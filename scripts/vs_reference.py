#!/usr/bin/env python3
"""Holds ipc_bench against the reference loops of reference/ on this machine.

  scripts/vs_reference.py [--rounds 5] [-p 4,4K] [--placement split,same] [-t pipe,udp] [--cpus A,B]

For every transport with a reference loop (ref_<transport> beside
ipc_bench), every payload (-p as ipc_bench takes it: bytes, with K or M for
KiB and MiB: 4, 4K, 1M, comma-separated) and every placement (split or same,
the two of ipc_bench's placements whose CPUs --cpus gives; the others choose
their CPUs by topology, where a reference loop cannot follow them), runs
ipc_bench and the reference loop in turn, ROUNDS times, interleaved in one
session: the same transport, payload, placement, CPUs, warm-up (50 ms) and
number of round trips (taken from a first reference run of about --ms
milliseconds).  Prints per pair the median time per round trip of each and
the ratio ipc_bench / reference: the median of the per-round ratios and
their range.  A ratio near 1 says ipc_bench adds nothing of its own; compare
ratios, not absolute times, which drift.

cyclonedds is held against Cyclone DDS's own tool instead: `ddsperf pong`
on the consumer's CPU and `ddsperf ping` on the producer's (Debian:
cyclonedds-tools), both waiting on a waitset as ipc_bench's cyclonedds does,
configured loopback-only as ipc_bench configures Cyclone, each ping carrying
the payload's octets (ddsperf's size S is the payload plus its 12-byte
fixed part).  ddsperf runs for whole seconds (it reports once a second; the
first second, discovery included, is dropped), so its batch lasts at least
two seconds whatever --ms says.  Without ddsperf, cyclonedds is skipped and
a line says why.

Exit status: 0 done, 1 a run failed, 2 bad input or nothing to run (a
payload or placement ipc_bench refuses, a reference loop's refusal of a
payload, ipc_bench output that is not its JSON, a standard output that
cannot be written).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import shutil
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_json import BadInput, format_ns, load  # noqa: E402
from terminal import BAD, ArgumentParser, Output, run, say, table  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# A spinning consumer on the producer's CPU only runs when the spinner is
# preempted: ipc_bench skips shm_spin there, so does this.
SPINNING = {"shm_spin"}
# ipc_bench's placements (ipc_bench --help); a reference loop follows the two whose CPUs --cpus gives.
IPC_BENCH_PLACEMENTS = ("split", "same", "none", "smt", "llc", "cross_llc", "cross_node")
PLACEMENTS = ("split", "same")
# ipc_bench's payload sizes (parse_size in src/ipc/parse.cpp): digits, at least 1, and K or M (either
# case) for KiB or MiB.
SIZE = re.compile(r"^([0-9]+)([kKmM]?)$")


class Failed(Exception):
    pass


# The reference of a transport that is held against its own middleware's tool, not a loop of reference/.
TOOLS = {"cyclonedds": "ddsperf"}
# Cyclone configured as ipc_bench configures it (src/ipc/transport/cyclonedds/cyclonedds.cpp): loopback
# only, no multicast, discovery by unicast to 127.0.0.1.
CYCLONE_CONFIG = ('<CycloneDDS><Domain id="any"><General><Interfaces><NetworkInterface address="127.0.0.1"/>'
                  '</Interfaces><AllowMulticast>false</AllowMulticast></General><Discovery><ParticipantIndex>auto'
                  '</ParticipantIndex><MaxAutoParticipantIndex>60</MaxAutoParticipantIndex><Peers><Peer '
                  'address="127.0.0.1"/></Peers></Discovery><Tracing><Verbosity>none</Verbosity></Tracing></Domain>'
                  '</CycloneDDS>')
# ddsperf's KS topic: a sequence number, a key and the octets' length before them.
DDSPERF_FIXED = 12
# "[pid] 2.000  host:pid size 16 mean 18.187us min ... cnt 27356": one line a second per peer.
DDSPERF_LINE = re.compile(r"\bsize ([0-9]+) mean ([0-9.]+)us .* cnt ([0-9]+)$")


def pinned(cpu):
    return lambda: os.sched_setaffinity(0, {int(cpu)})


def ddsperf_run(cpus, payload, seconds):
    """Runs ddsperf pong (consumer's CPU) and ddsperf ping (producer's) on a domain of their own for `seconds` + 1
    whole seconds; returns (round trips, mean ns) of the seconds after the first that reports (discovery and
    warm-up).  Raises Failed."""
    producer, consumer = cpus.split(",")
    env = dict(os.environ, CYCLONEDDS_URI=CYCLONE_CONFIG)
    domain = str(201 + os.getpid() % 29)  # above the ids ipc_bench's cyclonedds takes (1-200)
    wait = ["-Qminmatch:1", "-Qinitwait:10"]
    pong = subprocess.Popen(["ddsperf", "-i", domain, "-D", str(seconds + 12), *wait, "pong", "waitset"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                            preexec_fn=pinned(consumer))
    try:
        ping = subprocess.run(["ddsperf", "-i", domain, "-D", str(seconds + 1), *wait, "ping", "size",
                               str(payload + DDSPERF_FIXED), "waitset"], capture_output=True, text=True, env=env,
                              preexec_fn=pinned(producer), timeout=seconds + 30)
    except subprocess.TimeoutExpired:
        raise Failed(f"ddsperf ping did not end within {seconds + 30} s") from None
    finally:
        pong.kill()
        pong.wait()
    seen = [(int(m[3]), float(m[2])) for m in map(DDSPERF_LINE.search, ping.stdout.splitlines())
            if m and int(m[1]) == payload + DDSPERF_FIXED]
    if ping.returncode != 0 or len(seen) < 2:
        why = (ping.stderr.strip().splitlines() or [f"exit status {ping.returncode}"])[-1]
        raise Failed(f"ddsperf ping reported {len(seen)} seconds of round trips ({why})")
    counted = seen[1:]
    total = sum(n for n, _ in counted)
    if total == 0:
        raise Failed("ddsperf ping counted no round trips")
    return total, sum(n * mean for n, mean in counted) / total * 1000


def reference_run(program, cpus, payload, extra):
    """Runs one reference loop; returns (round trips, mean ns).  A loop that refuses its arguments (exit 2, a
    payload above what it carries) is BadInput; one that fails otherwise, Failed."""
    result = subprocess.run([program, "-c", cpus, "-s", str(payload), *extra], capture_output=True, text=True)
    why = (result.stderr.strip().splitlines() or [f"{os.path.basename(program)} exited {result.returncode}"])[-1]
    if result.returncode == 2:  # its usage line after the reason is no news here
        raise BadInput(f"{size_label(payload)}: {why.split(' (usage: ')[0]}")
    if result.returncode != 0:
        raise Failed(why)
    try:
        fields = dict(kv.split("=", 1) for kv in result.stdout.split())
        return int(fields["round_trips"]), float(fields["mean_ns"])
    except (ValueError, KeyError):
        printed = result.stdout[:80]
        raise Failed(f"{os.path.basename(program)} printed no round_trips=N mean_ns=T: {printed!r}") from None


def ipc_bench_run(binary, transport, placement, cpus, payload, count):
    """Runs one ipc_bench benchmark of `count` round trips; returns its mean ns.  Raises Failed (the run
    failed) or BadInput (its JSON is not what ipc_bench writes)."""
    with tempfile.TemporaryDirectory(prefix="vs_reference_") as tmp:
        path = os.path.join(tmp, "run.json")
        result = subprocess.run([binary, "-t", transport, "-p", str(payload), "--placement", placement, "--cpus", cpus,
                                 "-n", str(count), "--json", path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True)
        if result.returncode != 0:
            raise Failed(result.stderr.strip().splitlines()[-1] if result.stderr.strip()
                         else f"ipc_bench exited {result.returncode}")
        _, results = load(path)  # BadInput: one line, exit 2
    if len(results) != 1:
        raise BadInput(f"ipc_bench's output holds {len(results)} results where one was asked for")
    (bench,) = results
    if bench.error:
        raise Failed(f"ipc_bench {transport} {placement}: {bench.error}")
    return bench.time_ns()


def sizes(text):
    """"4,4K,1M" -> [4, 4096, 1048576], as ipc_bench reads -p."""
    out = []
    for part in text.split(","):
        m = SIZE.match(part)
        value = int(m[1]) << {"": 0, "k": 10, "m": 20}[m[2].lower()] if m else 0
        if value < 1:
            raise argparse.ArgumentTypeError(f"'{part}' is not a size: at least 1 byte, as 64, 4K or 1M")
        if value not in out:
            out.append(value)
    return out


def size_label(size):
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size} B"


def positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text}")
    return value


def parse_args(argv):
    parser = ArgumentParser(prog="vs_reference.py", description=__doc__.split("\n\n", 1)[0],
                            epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--rounds", type=positive, default=5, help="interleaved rounds (default 5)")
    parser.add_argument("-p", "--payload", type=sizes, default=[4], metavar="LIST",
                        help="payload sizes in bytes each way, comma-separated, as ipc_bench takes them: 4,64,4K,1M "
                             "(default 4)")
    parser.add_argument("--placement", metavar="LIST",
                        help="split (two CPUs), same (one CPU), or split,same (default: split,same when two CPUs "
                             "are allowed, else same)")
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


def placements(args, cpus):
    """The placements asked for: those of ipc_bench that a reference loop can follow."""
    if args.placement is None:
        return list(PLACEMENTS) if cpus[0] != cpus[1] else ["same"]
    wanted = list(dict.fromkeys(args.placement.split(",")))
    unknown = [p for p in wanted if p not in IPC_BENCH_PLACEMENTS]
    if unknown:
        raise ValueError(f"--placement {','.join(unknown)}: not a placement of ipc_bench; this script takes split "
                         "or same")
    other = [p for p in wanted if p not in PLACEMENTS]
    if other:
        raise ValueError(f"--placement {','.join(other)}: only split or same (a reference loop cannot follow "
                         "the others)")
    if "split" in wanted and cpus[0] == cpus[1]:
        raise ValueError("split needs two CPUs: give --cpus A,B with A != B")
    return wanted


def pairs(args, bin_dir, cpus):
    """[(transport, payload, placement, cpus 'A,B')] to run."""
    available = sorted([name[4:] for name in os.listdir(bin_dir) if name.startswith("ref_")] + list(TOOLS))
    wanted = args.transports.split(",") if args.transports else available
    for transport, tool in TOOLS.items():
        if transport in wanted and shutil.which(tool) is None:
            why = f"{transport} skipped: no {tool} on PATH (Debian: cyclonedds-tools)"
            if wanted == [transport]:
                raise ValueError(f"nothing to run: {why}")
            say(f"vs_reference.py: {why}")
            wanted.remove(transport)
    missing = [t for t in wanted if t not in available]
    if missing:
        raise ValueError(f"no reference loop for {', '.join(missing)} (there are: {', '.join(available)})")
    where = {"split": ",".join(cpus), "same": f"{cpus[0]},{cpus[0]}"}
    return [(t, size, p, where[p]) for t in wanted for size in args.payload for p in placements(args, cpus)
            if not (p == "same" and t in SPINNING)]


def main(argv=None):
    args = parse_args(argv)
    bin_dir = os.path.abspath(args.bin)
    ipc_bench = os.path.join(bin_dir, "ipc_bench")
    if not os.access(ipc_bench, os.X_OK):
        say(f"vs_reference.py: no ipc_bench in {bin_dir}: build first (scripts/bench.sh), or give --bin")
        return BAD
    try:
        cpus = cpu_pair(args)
        todo = pairs(args, bin_dir, cpus)
    except ValueError as e:
        say(f"vs_reference.py: {e}")
        return BAD
    if not todo:
        say("vs_reference.py: nothing to run: shm_spin spins, and runs only at split")
        return BAD
    seconds = max(2, -(-args.ms // 1000) + 1)

    def reference(transport, where, payload, batch):
        """(round trips, mean ns) of the reference: `batch` round trips, or about --ms when None."""
        if transport in TOOLS:
            return ddsperf_run(where, payload, seconds)
        extra = ["-T", str(args.ms)] if batch is None else ["-n", str(batch)]
        return reference_run(os.path.join(bin_dir, "ref_" + transport), where, payload, extra)

    ours, theirs, counts = {}, {}, {}
    try:
        for pair in todo:
            transport, payload, _, where = pair
            counts[pair], _ = reference(transport, where, payload, None)
            ours[pair], theirs[pair] = [], []
        for round_ in range(args.rounds):
            for pair in todo:
                transport, payload, placement, where = pair
                steps = [lambda: ours[pair].append(
                             ipc_bench_run(ipc_bench, transport, placement, where, payload, counts[pair])),
                         lambda: theirs[pair].append(reference(transport, where, payload, counts[pair])[1])]
                # Alternate which goes first, so that a drift favours neither.
                for step in steps if round_ % 2 == 0 else reversed(steps):
                    step()
            say(f"round {round_ + 1}/{args.rounds} done")
    except BadInput as e:
        say(f"vs_reference.py: {e}")
        return BAD
    except Failed as e:
        say(f"vs_reference.py: {e}")
        return 1

    out = Output("vs_reference.py")
    payloads = ", ".join(size_label(p) for p in args.payload)
    out.print(f"ipc_bench against the reference loops: {args.rounds} interleaved rounds, payload {payloads} each way,")
    out.print(f"split = CPUs {','.join(cpus)}, same = CPU {cpus[0]}")
    rows = [["transport", "payload", "placement", "round trips", "ipc_bench", "reference", "ratio", "min-max"]]
    for pair in todo:
        transport, payload, placement, _ = pair
        ratios = [a / b for a, b in zip(ours[pair], theirs[pair])]
        rows.append([transport, size_label(payload), placement, str(counts[pair]),
                     format_ns(statistics.median(ours[pair])), format_ns(statistics.median(theirs[pair])),
                     f"{statistics.median(ratios):.2f}", f"{min(ratios):.2f}-{max(ratios):.2f}"])
    for line in table(rows, right=range(3, 8)):
        out.print(line)
    out.print("times: medians over the rounds; ratio: median of the per-round ratios ipc_bench / reference,")
    out.print("and their range")
    if any(pair[0] in TOOLS for pair in todo):
        out.print("cyclonedds: the reference is ddsperf ping / pong (waitset), whole seconds of it; ipc_bench runs the")
        out.print("round trips its first run counted")
    return out.close(0)


if __name__ == "__main__":
    run("vs_reference.py", main)

#!/usr/bin/env python3
"""ipc_bench consumer for the pipe and tcp transports, in Python (standard library only).

Written from docs/protocol.md alone, to show that the page is enough to
implement a consumer outside C++.  The first argument names the transport;
the rest is exactly what ipc_bench passes to its own consumers:

    ipc_consumer.py pipe --payload N
    ipc_consumer.py tcp_nodelay --connect A.B.C.D:PORT --payload N --nodelay
    ipc_consumer.py tcp_nagle --connect A.B.C.D:PORT --payload N

With ipc_bench (which appends the transport's arguments to the command):

    ipc_bench -t pipe,tcp_nodelay --consumer-cmd "python3 scripts/consumers/ipc_consumer.py {transport}"

Exit status: 0 after the stop message (and after --help); 1 for any failure
while serving, with one line on stderr; 2 for a bad command line.

For the tests, $IPC_CONSUMER_FAULT = "<fault>:<round trip>" makes it
misbehave once, as tests/consumers/faulty_pipe_consumer.cpp does:
    stale      answer with the previous round trip's ping
    corrupt    flip bit 6 of the reply's last byte
    short      send all but the last byte of the reply, then exit 0
    duplicate  send the reply twice
and "stall:<round trip>:<ms>" makes it sleep <ms> milliseconds before it
answers that round trip (the open-loop tests: a consumer that freezes).
"""

import argparse
import ipaddress
import os
import re
import socket
import sys
import time

PROG = "ipc_consumer.py"
READY = b"READY\n"
MAX_PAYLOAD = 16 * 1024 * 1024  # the largest N ipc_bench asks of pipe and tcp


class Failure(Exception):
    """A failure while serving: one line on stderr, exit 1."""


def parse_size(text):
    """'64', '4K', '1M' (K = 1024, M = 1024 * 1024, either case); the reference consumers' rules."""
    m = re.fullmatch(r"([0-9]+)([kKmM]?)", text)
    if not m:
        raise argparse.ArgumentTypeError(f"'{text}' is not a size")
    value = int(m.group(1)) * {"": 1, "k": 1024, "m": 1024 * 1024}[m.group(2).lower()]
    if value == 0 or value > MAX_PAYLOAD:
        raise argparse.ArgumentTypeError(f"'{text}' is not a size from 1 to {MAX_PAYLOAD}")
    return value


def parse_endpoint(text):
    """'A.B.C.D:PORT' -> (host, port)."""
    host, sep, port = text.rpartition(":")
    try:
        address = ipaddress.IPv4Address(host)
    except ValueError:
        address = None
    if not sep or address is None or not re.fullmatch(r"[0-9]{1,5}", port) or not 0 < int(port) <= 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not an IPv4 address and port (A.B.C.D:PORT)")
    return str(address), int(port)


def parse_fault():
    """(kind, round trip, stall in seconds) from $IPC_CONSUMER_FAULT."""
    spec = os.environ.get("IPC_CONSUMER_FAULT", "")
    if not spec:
        return None, 0, 0.0
    kind, _, rest = spec.partition(":")
    at, _, ms = rest.partition(":")
    once = kind in ("stale", "corrupt", "short", "duplicate") and not ms
    stall = kind == "stall" and ms.isdigit()
    if not (once or stall) or not at.isdigit() or int(at) < 1:
        raise Failure(f"IPC_CONSUMER_FAULT: '{spec}' is not <stale|corrupt|short|duplicate>:<round trip> "
                      "or stall:<round trip>:<ms>")
    return kind, int(at), int(ms) / 1000 if stall else 0.0


def serve(read_into, write_all, payload):
    """READY, then echo payload-byte pings until EOF at a message boundary."""
    fault, fault_at, stall = parse_fault()
    write_all(READY)
    ping = bytearray(payload)
    view = memoryview(ping)
    previous = bytes(payload)
    round_trip = 0
    while True:
        got = 0
        while got < payload:
            n = read_into(view[got:])
            if n == 0:
                if got == 0:
                    return 0  # the stop: EOF between messages
                raise Failure(f"short message: peer closed after {got} of {payload} bytes")
            got += n
        round_trip += 1
        reply = bytes(ping)
        if round_trip == fault_at:
            if fault == "stale":
                reply = previous
            elif fault == "corrupt":
                reply = reply[:-1] + bytes([reply[-1] ^ 0x40])
            elif fault == "short":
                write_all(reply[:-1])
                return 0
            elif fault == "duplicate":
                write_all(reply)
            elif fault == "stall":
                time.sleep(stall)
        write_all(reply)
        previous = bytes(ping)


def serve_pipe(payload):
    stdin = open(0, "rb", buffering=0, closefd=False)  # raw: one read(2) per readinto

    def write_all(data):
        view = memoryview(data)
        while view:
            view = view[os.write(1, view):]

    return serve(stdin.readinto, write_all, payload)


def serve_tcp(endpoint, payload, nodelay):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.connect(endpoint)
        if nodelay:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return serve(sock.recv_into, sock.sendall, payload)


def main(argv):
    parser = argparse.ArgumentParser(prog=PROG, description="ipc_bench consumer for the pipe and tcp transports "
                                     "(docs/protocol.md)")
    parser.add_argument("transport", choices=["pipe", "tcp_nodelay", "tcp_nagle", "tcp"])
    parser.add_argument("--payload", type=parse_size, required=True, help="bytes per ping and pong (4, 4K, 1M)")
    parser.add_argument("--connect", type=parse_endpoint, help="tcp: the producer's address, A.B.C.D:PORT")
    parser.add_argument("--nodelay", action="store_true", help="tcp: set TCP_NODELAY")
    args = parser.parse_args(argv)  # exits 2 with the usage on a bad command line
    if args.transport == "pipe" and (args.connect or args.nodelay):
        parser.error("pipe takes neither --connect nor --nodelay")
    if args.transport != "pipe" and not args.connect:
        parser.error(f"{args.transport} needs --connect A.B.C.D:PORT")
    try:
        if args.transport == "pipe":
            return serve_pipe(args.payload)
        return serve_tcp(args.connect, args.payload, args.nodelay)
    except (Failure, OSError) as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""What compare.py, plot.py and vs_reference.py print: lines that fit a terminal
of WIDTH columns, and standard output that cannot be written (a full disk,
/dev/full, a closed pipe, a reader such as `head -1` that left early) ending the
run with one line on stderr and exit 2.

Python 3 standard library only.
"""
import argparse
import os
import sys
import textwrap

WIDTH = 100
# The exit status of bad input, and of output that could not be written.
BAD = 2


def wrap(text, width=WIDTH, indent="", subsequent="  "):
    """`text` in lines of at most `width` columns, the second and later indented by `subsequent`."""
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=subsequent,
                         break_on_hyphens=False) or [indent.rstrip()]


def wrap_words(text, width):
    """A cell's lines: at spaces, and inside a word longer than the cell."""
    return textwrap.wrap(text, max(1, width), break_on_hyphens=False) or [""]


def wrap_path(text, width):
    """A benchmark name's lines: after a "/", and inside a part longer than the cell."""
    width = max(1, width)
    parts = [p + "/" for p in text.split("/")]
    parts[-1] = parts[-1][:-1]
    lines = [""]
    for part in parts:
        while len(part) > width:  # one part wider than the cell: break it
            if lines[-1]:
                lines.append("")
            lines[-1], part = part[:width], part[width:]
            lines.append("")
        if len(lines[-1]) + len(part) > width:
            lines.append("")
        lines[-1] += part
    return [line for line in lines if line] or [""]


def _shrunk(widths, wrappable, budget):
    """The widths with the wrappable columns (index -> least width) cut evenly to a common cap so that
    their sum is at most `budget`; None when even their least widths do not fit."""
    fixed = sum(w for i, w in enumerate(widths) if i not in wrappable)
    if fixed + sum(min(widths[i], least) for i, least in wrappable.items()) > budget:
        return None

    def total(cap):
        return fixed + sum(min(widths[i], max(cap, least)) for i, least in wrappable.items())
    low, high = 0, max(widths)
    while low < high:  # the largest cap that fits
        mid = (low + high + 1) // 2
        low, high = (mid, high) if total(mid) <= budget else (low, mid - 1)
    return [min(w, max(low, wrappable[i])) if i in wrappable else w for i, w in enumerate(widths)]


def table(rows, right=(), width=WIDTH, wrappable=None, below=None):
    """Aligned columns two spaces apart in lines of at most `width` columns (rows[0] is the header).

    `right`: the indices of right-aligned columns.  `wrappable`: {index: (least width, splitter)}, the
    columns that may be cut into several lines (splitter(text, width) -> lines, e.g. wrap_words or
    wrap_path) when the table is too wide.  `below`: the index of the last column, which, when it does
    not fit beside the others even at its least width, goes on lines of its own under its row, indented
    by four spaces.  Only a cell that cannot be cut makes a line wider than `width`.
    """
    wrappable = dict(wrappable or {})
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    budget = width - 2 * (len(widths) - 1)
    least = {i: w for i, (w, _) in wrappable.items()}
    under = None
    if sum(widths) <= budget:
        fitted = widths
    elif below is not None:
        # The last column cut first, down to its least width; else under its row, and the others cut.
        fitted = _shrunk(widths, {below: least[below]} if below in least else {}, budget)
        if fitted is None:
            under = below
            rest = widths[:below] + widths[below + 1:]
            fitted = rest if sum(rest) <= budget + 2 else _shrunk(rest, {i: w for i, w in least.items()
                                                                        if i != below}, budget + 2) or rest
            fitted.insert(below, 0)
    else:
        fitted = _shrunk(widths, least, budget) or widths

    out = []
    for r in rows:
        cells = []
        for i, (text, w) in enumerate(zip(r, fitted)):
            if i == under:
                cells.append([])
            elif i in wrappable and len(text) > w:
                cells.append(wrappable[i][1](text, w))
            else:
                cells.append([text])
        height = max(len(c) for c in cells)
        for line in range(height):
            parts = []
            for i, (c, w) in enumerate(zip(cells, fitted)):
                if i == under:
                    continue
                text = c[line] if line < len(c) else ""
                parts.append(text.rjust(w) if i in right else text.ljust(w))
            out.append("  ".join(parts).rstrip())
        if under is not None and r[under]:
            out += wrap(r[under], width, indent="    ", subsequent="    ")
    return out


class Output:
    """Standard output, written at once by close(): a failure to write it is one line on stderr."""

    def __init__(self, program):
        self.program = program
        self.lines = []

    def print(self, line=""):
        self.lines.append(line)

    def close(self, status):
        """Writes the lines; returns `status`, or BAD when standard output could not take them."""
        try:
            if self.lines:
                sys.stdout.write("\n".join(self.lines) + "\n")
            sys.stdout.flush()
        except OSError as e:
            return stdout_failed(self.program, e)
        return status


def stdout_failed(program, error):
    """One line for a standard output that could not be written; returns BAD."""
    # Nothing more may reach the broken stream, not even the interpreter's last flush.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    why = "the reader left early (broken pipe)" if isinstance(error, BrokenPipeError) else (error.strerror or error)
    say(f"{program}: cannot write to standard output: {why}")
    return BAD


def say(line):
    """One line on stderr; a stderr that cannot take it is let be."""
    try:
        print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def run(program, main):
    """sys.exit(main()); a standard output that cannot take what was written to it (argparse's --help
    included) is one line on stderr and exit BAD, never a traceback."""
    try:
        status = main()
    except SystemExit as e:  # argparse: --help, a usage error
        status = e.code
    except KeyboardInterrupt:
        say(f"{program}: interrupted")
        status = 130
    try:
        sys.stdout.flush()
    except OSError as e:
        status = stdout_failed(program, e)
    sys.exit(status)


class ArgumentParser(argparse.ArgumentParser):
    """argparse's, with --help onto an unwritable standard output exit BAD in one line, and the help laid
    out for WIDTH columns."""

    def __init__(self, **kwargs):
        kwargs.setdefault("formatter_class",
                          lambda prog: argparse.RawDescriptionHelpFormatter(prog, width=WIDTH))
        super().__init__(**kwargs)

    def _print_message(self, message, file=None):
        try:
            super()._print_message(message, file)
            if file is sys.stdout:
                file.flush()
        except OSError as e:
            if file is sys.stdout:
                sys.exit(stdout_failed(self.prog, e))
            # A usage error onto an unwritable stderr: the exit status still says it.

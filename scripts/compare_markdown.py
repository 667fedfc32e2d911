"""compare.py --md: the comparison as a GitHub-flavoured Markdown table, to paste
into an issue or a pull request, the machine in one line above it."""


def machine(ctx):
    """CPU, CPU count, virtualization and kernel of a file's context, in a few words."""
    parts = [str(ctx.get("cpu_model", "unknown CPU"))]
    if "num_cpus" in ctx:
        parts.append(f"{ctx['num_cpus']} CPUs")
    if ctx.get("virtualization") not in (None, "none", "unknown"):
        parts.append(str(ctx["virtualization"]))
    if ctx.get("kernel"):
        parts.append(str(ctx["kernel"]))
    return ", ".join(parts)


def machine_line(labelled_contexts):
    """One line: the machine, or each file's machine when they differ."""
    machines = [(label, machine(ctx)) for label, ctx in labelled_contexts]
    if len({m for _, m in machines}) == 1:
        return f"Machine: {machines[0][1]}"
    return "Machines: " + "; ".join(f"`{label}`: {m}" for label, m in machines)


def cell(text):
    return text.replace("|", "\\|")


def markdown(labelled_contexts, rows, right, notes):
    """The Markdown text: machine line, table (rows[0] the header; `right`: right-aligned columns), notes."""
    out = [machine_line(labelled_contexts), ""]
    out.append("| " + " | ".join(cell(c) for c in rows[0]) + " |")
    out.append("|" + "|".join("---:" if i in right else "---" for i in range(len(rows[0]))) + "|")
    out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows[1:]]
    return "\n".join(out + [""] + notes) + "\n"


def write_markdown(path, labelled_contexts, rows, right, notes):
    with open(path, "w", encoding="utf-8") as f:
        f.write(markdown(labelled_contexts, rows, right, notes))

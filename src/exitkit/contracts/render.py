"""Render a contract for people and programs: terminal table, Markdown docs page, JSON, TOML, and
a typed Python module."""

from __future__ import annotations

from exitkit.contracts.model import Contract

FORMATS = ("table", "markdown", "json", "toml", "python")


def render(contract: Contract, fmt: str) -> str:
    """The contract in format *fmt* (one of :data:`FORMATS`), ending with a newline."""
    if fmt == "table":
        return render_table(contract)
    if fmt == "markdown":
        return render_markdown(contract)
    if fmt == "json":
        return render_json(contract)
    if fmt == "toml":
        return render_toml(contract)
    if fmt == "python":
        return render_python(contract)
    raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")


def _flat(text: str) -> str:
    """Contract text on one terminal line, anything a terminal would act on escaped."""
    from exitkit.text import escape

    return escape(text)


def columns(rows: list[list[str]]) -> str:
    """Left-aligned columns separated by two spaces; the last column is not padded."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])] + [row[-1]]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def render_table(contract: Contract) -> str:
    head = f"{contract.name} {contract.version}"
    head += f" — {_flat(contract.summary)}\n" if contract.summary else "\n"
    head += f"constants: {contract.prefix}_*    from: {_flat(contract.origin)}\n"
    if contract.match is not None:
        head += f"for: {_flat(contract.match.describe())}\n"
    head += "\n"
    rows = [["CODE", "NAME", "KIND", "RETRY", "MEANING"]]
    for e in contract.exits:
        rows.append([str(e.code), e.name, e.kind, "yes" if e.retryable else "", _flat(e.meaning)])
    text = head + columns(rows)
    if contract.outcomes:
        rows = [["OUTCOME", "OF", "KIND", "RETRY", "MEANING"]]
        for o in contract.outcomes:
            rows.append([o.name, ",".join(map(str, o.codes)), o.kind,
                         "yes" if o.retryable else "", _flat(o.meaning)])
        text += "\n" + columns(rows)
        rows = [["OUTCOME", "WHEN A LINE OF STDERR MATCHES (exitkit run --ok/--retry-on NAME)"]]
        # quoted: a pattern may end in a space
        rows += [[o.name, f"'{_flat(o.pattern)}'"] for o in contract.outcomes]
        rows += [["(errors)", f"'{_flat(p)}'"] for p in contract.stderr.errors]
        if contract.stderr.locale is not None:
            rows.append(["(locale)", f"LC_MESSAGES={contract.stderr.locale}"])
        text += "\n" + columns(rows)
    if contract.errors:
        rows = [["ERROR CODE", "EXIT", "MEANING"]]
        for err in contract.errors:
            exit = contract.exit_of(err)
            rows.append([_flat(err.code), f"{exit.code} {exit.name}", _flat(err.meaning)])
        text += "\n" + columns(rows)
    return text


def _cell(text: str | None) -> str:
    """A Markdown table cell: line breaks as <br>; what a terminal would act on shown escaped
    (``\\e``, as everywhere exitkit prints contract text); HTML's ``&<>`` as entities; backslashes
    and pipes escaped, so that the cell shows the text as written and does not end early."""
    if not text:
        return ""
    from exitkit.text import escape

    return "<br>".join(
        escape(line).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\\", "\\\\").replace("|", "\\|")
        for line in text.splitlines()
    )


def _code_span(text: str) -> str:
    """*text* as a Markdown code span: fenced by more backticks than it holds in a row."""
    run, longest = 0, 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _code_text(text: str, in_table: bool = True) -> str:
    """Contract text (a regular expression, an error code) as a Markdown code span: shown as
    written — a code span takes backslashes and ``&`` literally — except what a terminal would
    act on and line breaks, shown escaped (``\\e``, ``\\n``), and, in a table cell, ``|``
    escaped so that the cell does not end there."""
    from exitkit.text import escape

    shown = escape(text)
    return _code_span(shown.replace("|", "\\|") if in_table else shown)


def render_markdown(contract: Contract) -> str:
    """A documentation page section in the style of the tools' own exit-code pages."""
    lines = [f"## {contract.name} exit codes", ""]
    if contract.summary:
        lines += [_cell(contract.summary), ""]
    if contract.match is not None:
        lines += [f"For {_code_text(contract.match.describe(), in_table=False)}.", ""]
    lines += [
        "| Code | Name | Kind | Meaning | When | Recovery |",
        "|---:|---|---|---|---|---|",
    ]
    for e in contract.exits:
        kind = e.kind + (" (retryable)" if e.retryable else "")
        lines.append(
            f"| {e.code} | `{e.name}` | {kind} | {_cell(e.meaning)} | {_cell(e.when)} | "
            f"{_cell(e.recovery)} |"
        )
    if contract.outcomes:
        lines += [
            "",
            "### Outcomes told apart by stderr",
            "",
            "A script's `$?` cannot see these: `exitkit run --ok NAME` (or `--retry-on NAME`) "
            "reads the tool's stderr for them.",
            "",
            "| Name | Of exit | Kind | A line of stderr matches | Meaning | When | Recovery |",
            "|---|---|---|---|---|---|---|",
        ]
        for o in contract.outcomes:
            kind = o.kind + (" (retryable)" if o.retryable else "")
            lines.append(
                f"| `{o.name}` | {', '.join(map(str, o.codes))} | {kind} | "
                f"{_code_text(o.pattern)} | {_cell(o.meaning)} | {_cell(o.when)} | "
                f"{_cell(o.recovery)} |"
            )
        if contract.stderr.errors:
            spans = ", ".join(_code_text(p, in_table=False) for p in contract.stderr.errors)
            lines += ["", f"Error lines (each must be one of the accepted outcomes): {spans}."]
        if contract.stderr.locale is not None:
            lines += ["", f"The tool runs with `LC_MESSAGES={contract.stderr.locale}` and without "
                      "`LANGUAGE` while its stderr is read."]
    if contract.errors:
        lines += [
            "",
            "### Error codes",
            "",
            "| Error code | Exit | Meaning | Hint |",
            "|---|---|---|---|",
        ]
        for err in contract.errors:
            exit = contract.exit_of(err)
            lines.append(
                f"| {_code_text(err.code)} | {exit.code} `{exit.name}` | {_cell(err.meaning)} | "
                f"{_cell(err.hint)} |"
            )
    lines += [
        "",
        f"Shell constants: `{contract.prefix}_<NAME>` — "
        f"`eval \"$(exitkit shell bash {contract.name})\"`. "
        f"Generated by exitkit from {contract.name} contract {contract.version}.",
    ]
    return "\n".join(lines) + "\n"


def render_json(contract: Contract) -> str:
    import json

    data = contract.to_dict()
    data["origin"] = contract.origin
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def toml_string(text: str) -> str:
    """A TOML basic string holding *text* exactly."""
    out = ['"']
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ch == "\x7f":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def render_toml(contract: Contract) -> str:
    """The contract as a TOML file that loads back to the same contract."""
    data = contract.to_dict()
    lines = []
    for key in ("name", "version", "summary", "prefix", "source"):
        if key in data:
            lines.append(f"{key} = {toml_string(data[key])}")
    for table in ("match", "stderr"):
        if table in data:
            lines += ["", f"[{table}]"]
            lines += [f"{key} = {_toml_value(value)}" for key, value in data[table].items()]
    for table in ("exit", "outcome", "error"):
        for row in data.get(table, ()):
            lines += ["", f"[[{table}]]"]
            for key, value in row.items():
                if key == "retryable":
                    if value == _kind_default(row["kind"]):
                        continue
                    lines.append(f"retryable = {'true' if value else 'false'}")
                else:
                    lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    assert isinstance(value, str)
    return toml_string(value)


def _kind_default(kind: str) -> bool:
    from exitkit.contracts.model import RETRYABLE_KINDS

    return kind in RETRYABLE_KINDS


def enum_name(contract: Contract) -> str:
    """The enum class of :func:`render_python`: ``terraform-plan`` → ``TerraformPlanExit``."""
    return "".join(part.capitalize() for part in contract.name.split("-")) + "Exit"


def render_python(contract: Contract) -> str:
    """A typed module a Python CLI commits and exits with: one ``IntEnum`` with a member per code
    (the meaning as its docstring) and, where the contract has string error codes, ``ERRORS``
    mapping each to its member. Every contract text is a Python string literal (``repr``), so no
    text can end a string or run; the module passes ``mypy --strict``."""
    cls = enum_name(contract)
    title = f"{contract.name} {contract.version}"
    lines = [
        f'"""Exit codes of {contract.name}, from its exit-code contract {contract.version}.',
        "",
        f"Generated by `exitkit show {contract.name} --format python`; do not edit: change the",
        'contract and generate it again."""',
        "",
        "from __future__ import annotations",
        "",
        "import enum",
        "",
        "",
        f"class {cls}(enum.IntEnum):",
        f"    {_docstring(f'{contract.summary} ({title})' if contract.summary else title)}",
    ]
    for e in contract.exits:
        lines += ["", f"    {e.ident} = {e.code}", f"    {_docstring(e.meaning)}"]
    if contract.outcomes:
        lines += ["", "",
                  "#: Outcomes told apart by a line of stderr: name → (the exits it refines, the",
                  "#: regular expression a line must match; see exitkit's docs/contracts.md).",
                  f"OUTCOMES: dict[str, tuple[tuple[{cls}, ...], str]] = {{"]
        for o in contract.outcomes:
            exits = "".join(f"{cls}.{contract[code].ident}, " for code in o.codes)
            lines.append(f"    {o.name!r}: (({exits.rstrip()}), {o.pattern!r}),")
        lines.append("}")
    if contract.errors:
        lines += ["", "", "#: Each string error code the tool prints, with the exit it exits with.",
                  f"ERRORS: dict[str, {cls}] = {{"]
        for err in contract.errors:
            lines.append(f"    {err.code!r}: {cls}.{contract.exit_of(err).ident},")
        lines.append("}")
    return "\n".join(lines) + "\n"


def _docstring(text: str) -> str:
    """*text* as a string literal on one line: ``repr`` keeps every character (quotes, newlines,
    backslashes, control characters) inert and exact."""
    return repr(text)

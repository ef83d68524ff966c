"""GitHub Actions output for ``exitkit run``: annotations, step outputs, the step summary.

Every value that reaches a workflow command is escaped as the runner expects (``%``, CR, LF in data;
also ``:`` and ``,`` in properties), so neither a contract's text nor a command's arguments can end
an annotation early or forge another command. Annotations go to stderr: the runner reads workflow
commands from both streams, and stderr keeps them out of ``out=$(exitkit run …)``.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping


def escape_data(text: str) -> str:
    """Escape the message part of a workflow command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (``title=…``) of a workflow command."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str) -> str:
    """One workflow command line, e.g. ``::error title=T::MESSAGE``."""
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def output_lines(name: str, value: str) -> str:
    """``name=value`` for ``$GITHUB_OUTPUT``, or a heredoc block when the value spans lines."""
    if "\n" not in value and "\r" not in value:
        return f"{name}={value}\n"
    import secrets

    delimiter = f"EXITKIT_{secrets.token_hex(8)}"
    while delimiter in value:  # pragma: no cover - 64 random bits
        delimiter = f"EXITKIT_{secrets.token_hex(8)}"
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def code_span(text: str) -> str:
    """Markdown inline code holding *text* literally: a fence longer than any backtick run."""
    flat = " ".join(text.splitlines())
    longest, run = 0, 0
    for ch in flat:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or not flat.strip() else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def _command_line(argv: list[str]) -> str:
    import shlex

    return shlex.join(argv)


def publish(record: Mapping[str, object]) -> None:
    """Annotate, set step outputs and append to the step summary for one finished run."""
    argv = [str(a) for a in record["argv"]]  # type: ignore[attr-defined]
    cmd = _command_line(argv)
    code = record["raw_exit_code"]
    name = record.get("name") or ""
    outcome = str(record["outcome"])
    label = f"{code} ({name})" if name else str(code)
    meaning = str(record.get("meaning") or "")
    recovery = str(record.get("recovery") or "")
    tool = str(record.get("contract") or os.path.basename(argv[0]))
    if outcome == "tolerated":
        line = command("notice", f"{cmd} exited {label}; tolerated by --ok",
                       title=f"{tool}: {name or code} tolerated")
    elif outcome in ("failure", "timeout", "signal"):
        if outcome == "timeout":
            title, text = f"{tool} timed out", f"{cmd} was stopped and exitkit exits 124"
        else:
            title = f"{tool} exited {label}"
            text = f"{cmd} exited {label}"
            if meaning:
                text += f": {meaning}"
            if recovery:
                text += f"\nRecovery: {recovery}"
        line = command("error", text, title=title)
    else:
        line = ""
    if line:
        from exitkit.errors import write_stderr

        write_stderr(line + "\n")
    _append("GITHUB_OUTPUT", "".join([
        output_lines("exit-code", str(record["exit_code"])),
        output_lines("raw-exit-code", str(code)),
        output_lines("exit-name", str(name)),
        output_lines("outcome", outcome),
    ]))
    summary = f"- {code_span(cmd)} → exit {label}: **{outcome}**"
    if meaning and outcome != "success":
        summary += f" — {_markdown_text(meaning)}"
    _append("GITHUB_STEP_SUMMARY", summary + "\n")


def _markdown_text(text: str) -> str:
    """Plain text for a Markdown line: one line, HTML and emphasis characters inert."""
    flat = " ".join(text.splitlines())
    out = []
    for ch in flat:
        if ch in "\\`*_{}[]<>()#+-!|~":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def _append(variable: str, text: str) -> None:
    path = os.environ.get(variable)
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        from exitkit.errors import write_stderr

        write_stderr(f"exitkit: cannot write ${variable} ({path}): {exc.strerror or exc}\n")

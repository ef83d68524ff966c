"""GitHub Actions output for ``exitkit run``: annotations, step outputs, the step summary.

Every value that reaches a workflow command is escaped as the runner expects (``%``, CR, LF in data;
also ``:`` and ``,`` in properties), so neither a contract's text nor a command's arguments can end
an annotation early or forge another command. Annotations go to stderr: the runner reads workflow
commands from both streams, and stderr keeps them out of ``out=$(exitkit run …)``.
"""

from __future__ import annotations

import os

from exitkit.run.report import Reporter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from exitkit.run.result import RunResult


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


class GitHubReporter(Reporter):
    """Annotates, sets the step's outputs and appends to the step summary when a run ends."""

    def finished(self, result: RunResult) -> None:
        publish(result)


def publish(result: RunResult) -> None:
    """Annotate, set step outputs and append to the step summary for one finished run."""
    from exitkit.text import command_line

    cmd = command_line(result.argv)
    outcome = result.outcome
    label = result.label
    entry = result.entry
    meaning = entry.meaning if entry is not None else ""
    recovery = (entry.recovery or "") if entry is not None else ""
    if outcome == "tolerated":
        line = command("notice", f"{cmd} exited {label}; tolerated by --ok",
                       title=f"{result.tool}: {result.name or result.status} tolerated")
    elif outcome in ("failure", "timeout", "signal"):
        if outcome == "timeout":
            title = f"{result.tool} timed out"
            text = f"{cmd} was stopped and exitkit exits {result.exit_code}"
        else:
            title = f"{result.tool} exited {label}"
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
        output_lines("exit-code", str(result.exit_code)),
        output_lines("raw-exit-code", str(result.status)),
        output_lines("exit-name", result.name or ""),
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

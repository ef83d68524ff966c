"""GitHub Actions output for ``exitkit run``: annotations, step outputs, the step summary.

The runner reads workflow commands from both output streams of a step: ``::name props::data`` at
the start of a line (after whitespace), and the legacy ``##[name props]data`` *anywhere* in a line
(actions/runner ``ActionCommand.cs``). Untrusted text — a command's arguments, a contract's
meaning — reaches exitkit's lines, so in GitHub mode none of it may form either: values are
escaped as the runner unescapes them (``%``, CR, LF; also ``:`` and ``,`` in properties), a newline
never survives into a line of exitkit's, and every ``##[`` is broken (:func:`neutralize`). Step
outputs that could hold a newline use the heredoc form with a random delimiter.

Annotations go to stderr: the runner reads both streams, and stderr keeps them out of
``out=$(exitkit run …)``.
"""

from __future__ import annotations

import os

from exitkit.run.report import Reporter
from exitkit.text import neutralize

TYPE_CHECKING = False
if TYPE_CHECKING:
    from exitkit.errors import ExitkitError
    from exitkit.run.result import RunResult

#: What ``outputs.outcome`` can be, besides run's own outcomes: exitkit failed (``error``), or
#: the job was cancelled while the command ran (``cancelled``).
OUTCOMES = ("success", "tolerated", "failure", "timeout", "signal", "cancelled", "error")


def escape_data(text: str) -> str:
    """Escape the message part of a workflow command, as the runner unescapes it. Control
    characters but tab, CR and LF (ESC starts what a terminal acts on, with `--ci github` at a
    terminal) are shown escaped (``\\e``), as in exitkit's own lines; the rest comes back as
    written."""
    if not text.isprintable():
        import unicodedata

        from exitkit.text import escape

        text = "".join(escape(ch) if ch not in "\t\r\n" and unicodedata.category(ch) == "Cc"
                       else ch for ch in text)
    return neutralize(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    """Escape a property value (``title=…``) of a workflow command."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str) -> str:
    """One workflow command line, e.g. ``::error title=T::MESSAGE``."""
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def output_lines(name: str, value: str) -> str:
    """``name=value`` for ``$GITHUB_OUTPUT``, or a ``name<<DELIMITER`` block with a random
    delimiter when the value could hold a line break."""
    if "\n" not in value and "\r" not in value:
        return f"{name}={value}\n"
    import secrets

    # 128 random bits: text written before this call cannot have guessed them
    delimiter = f"EXITKIT_{secrets.token_hex(16)}"
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def code_span(text: str) -> str:
    """Markdown inline code holding *text* literally (CommonMark): a fence longer than any
    backtick run, and a space inside each fence where the renderer would otherwise take a
    backtick for the fence or strip a space of the text's own."""
    flat = " ".join(text.splitlines()) or " "
    longest, run = 0, 0
    for ch in flat:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    edges = flat[0] + flat[-1]
    pad = " " if "`" in edges or (edges == "  " and flat.strip()) else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def markdown_text(text: str) -> str:
    """Plain text for a Markdown line: one line, HTML and emphasis characters inert."""
    flat = " ".join(text.splitlines())
    return "".join("\\" + ch if ch in "\\`*_{}[]<>()#+-!|~&" else ch for ch in flat)


class GitHubReporter(Reporter):
    """Annotates, sets the step's outputs and appends to the step summary.

    On cancellation (a stop signal reaching exitkit, or the step's shell dying) it does so at once,
    before the command has even ended: the runner kills a cancelled step within seconds, and what
    exitkit has not written by then is lost. When the run then ends, only the outputs are written
    again (a later value replaces an earlier one); the annotation and the summary stand.
    """

    def __init__(self) -> None:
        self.announced = False

    def cancelling(self, result: RunResult) -> None:
        if not self.announced:
            self.announced = True
            publish(result)

    def finished(self, result: RunResult) -> None:
        if self.announced:
            _append("GITHUB_OUTPUT", outputs(result))
        else:
            publish(result)


def outcome_of(result: RunResult) -> str:
    """The ``outcome`` output: run's own, or ``cancelled`` when the job was cancelled (a stop
    signal reached exitkit in a job, or the step's shell went away)."""
    return "cancelled" if result.cancelled or result.cause == "cancelled" else result.outcome


def annotation(result: RunResult) -> str:
    """The workflow command that tells the job how the run ended, or "" for a success."""
    cmd = result.command
    label = result.label
    entry = result.entry
    outcome = outcome_of(result)
    if outcome == "success":
        return ""
    said = f"\n{result.said.strip()[1:-1]}" if result.line is not None else ""
    if outcome == "tolerated":
        return command("notice", f"{cmd} exited {label}; tolerated by --ok{said}",
                       title=f"{result.tool}: {result.name or result.status} tolerated")
    if outcome == "cancelled":
        return command("error", f"{cmd} was stopped because the run was cancelled",
                       title=f"{result.tool} cancelled")
    if result.error is not None:
        return command("error", result.error, title=f"{result.tool}: cannot run")
    if outcome == "timeout":
        why = "--max-time ran out" if result.cause == "max-time" else "it timed out"
        return command("error", f"{cmd} was stopped because {why}; exitkit exits "
                       f"{result.exit_code}", title=f"{result.tool} timed out")
    if result.cause == "oom":
        from exitkit.run.report.stderr import OOM

        return command("error", f"{cmd} was {OOM} (exit {result.status})",
                       title=f"{result.tool} out of memory")
    text = f"{cmd} exited {label}"
    if entry is not None:
        text += f": {entry.meaning}"
        if entry.recovery:
            text += f"\nRecovery: {entry.recovery}"
    return command("error", text + said, title=f"{result.tool} exited {label}")


def outputs(result: RunResult) -> str:
    """The ``$GITHUB_OUTPUT`` lines of a run."""
    return "".join([
        output_lines("exit-code", str(result.exit_code)),
        output_lines("raw-exit-code", str(result.status)),
        output_lines("exit-name", result.name or ""),
        output_lines("outcome", outcome_of(result)),
    ])


def summary(result: RunResult) -> str:
    """The Markdown line for ``$GITHUB_STEP_SUMMARY``."""
    outcome = outcome_of(result)
    line = f"- {code_span(result.command)} → exit {result.label}: **{outcome}**"
    entry = result.entry
    if entry is not None and outcome != "success" and entry.meaning.strip():
        line += f" — {markdown_text(entry.meaning)}"
    quoted = result.quoted_line
    if quoted is not None:
        said = "not tolerated by --ok" if result.line_refused else "stderr"
        line += f" ({said}: {code_span(quoted)})"
    return line + "\n"


def publish(result: RunResult) -> None:
    """Annotate, set step outputs and append to the step summary for one run."""
    from exitkit.errors import write_stderr

    line = annotation(result)
    if line:
        # on a line of its own even when the command's last line has no end yet
        # (``printf 'progress 50%'``): the runner finds commands only at a line start
        write_stderr("\n" + line + "\n")
    _append("GITHUB_OUTPUT", outputs(result))
    _append("GITHUB_STEP_SUMMARY", summary(result))


def publish_error(err: ExitkitError) -> None:
    """exitkit run itself failed (125): say so, and still set every output, so that a later
    ``if:`` never reads an empty string."""
    from exitkit.errors import write_stderr

    write_stderr(command("error", err.message + (f"\nHint: {err.hint}" if err.hint else ""),
                         title="exitkit run failed") + "\n")
    _append("GITHUB_OUTPUT", "".join([
        output_lines("exit-code", str(err.status)),
        output_lines("raw-exit-code", str(err.status)),
        output_lines("exit-name", err.exit),
        output_lines("outcome", "error"),
    ]))
    _append("GITHUB_STEP_SUMMARY", f"- exitkit run failed: {markdown_text(err.message)}\n")


def _append(variable: str, text: str) -> None:
    path = os.environ.get(variable)
    if not path:
        return
    try:
        # backslashreplace: an argument that is not UTF-8 (a lone surrogate here) is shown,
        # never a reason to lose the line
        data = text.encode("utf-8", "backslashreplace")
        if _ends_mid_line(path):  # `printf 'version=%s' 1.2` by the command: end its line,
            data = b"\n" + data  # as the runner does, or our first name joins its value
        with open(path, "ab") as fh:
            fh.write(data)
    except OSError as exc:
        from exitkit.errors import write_stderr
        from exitkit.text import escape

        write_stderr(f"exitkit: cannot write ${variable} ({escape(path)}): "
                     f"{escape(exc.strerror or str(exc))}\n")


def _ends_mid_line(path: str) -> bool:
    """Whether the regular file at *path* has bytes after its last line end (False when it is
    empty, missing, not a regular file or cannot be read back)."""
    import stat

    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False  # a FIFO would wait for a writer, and that writer is us
        with open(path, "rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            if size == 0:
                return False
            fh.seek(size - 1)
            return fh.read(1) != b"\n"
    except OSError:
        return False

"""exitkit's own lines on stderr: what a run was tolerated for, why it stopped, what a failure
means, and each retry. One line each, always; untrusted text escaped (see :mod:`exitkit.text`).
"""

from __future__ import annotations

from exitkit.run.report import Reporter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from exitkit.run.result import RunResult


class StderrReporter(Reporter):
    """Writes ``exitkit: …`` lines; ``quiet`` silences all of them."""

    def __init__(self, *, quiet: bool = False) -> None:
        self.quiet = quiet

    def say(self, line: str) -> None:
        """One of exitkit's lines. A closed or full stderr never changes the status."""
        if self.quiet:
            return
        from exitkit.errors import write_stderr
        from exitkit.text import escape

        write_stderr(f"exitkit: {escape(line)}\n")

    def retrying(self, result: RunResult, delay: float, max_attempts: int) -> None:
        self.say(f"{result.tool} exited {result.label}; retrying in {delay:.1f}s "
                 f"(attempt {result.attempts + 1} of {max_attempts})")

    def stopped_retrying(self, reason: str) -> None:
        self.say(f"{reason}; no further attempt")

    def finished(self, result: RunResult) -> None:
        line = message(result)
        if line:
            self.say(line)


#: Said when the kernel's out-of-memory killer ended the command (see run/oom.py).
OOM = "killed by the kernel's out-of-memory killer"


def message(result: RunResult) -> str:
    """The line that tells a person how the run ended, or "" when the status says it all."""
    if result.uneventful:
        return ""
    if result.error is not None:
        return result.error
    if result.cause == "stopped":
        after = "not started" if result.attempts == 0 else "no further attempt"
        return (f"{result.signal_name} received; {result.tool}: {after}; "
                f"exiting {result.exit_code}")
    said = result.said
    if result.outcome == "tolerated":
        return f"{result.tool} exited {result.label}; tolerated by --ok{said}"
    if result.outcome == "timeout":
        if result.parent_died:
            why = "the calling shell went away"
        elif result.cause == "max-time" and result.timeout is not None:
            why = f"--max-time {result.timeout:g}s ran out"
        elif result.timeout is not None and result.attempts:
            why = f"timed out after {result.timeout:g}s"
        else:
            why = "timed out"
        return f"{result.tool} stopped: {why}; exiting {result.exit_code}"
    if result.cause == "oom":
        return f"{result.tool} was {OOM} (exit {result.status}, {result.signal_name})"
    if result.signal_name == "SIGPIPE":
        return ""  # as in bash: a reader that went away is no news (`exitkit run -- yes | head`)
    entry = result.entry if result.outcome in ("failure", "signal") else None
    if entry is not None:
        line = f"{result.tool} exited {result.label}: {entry.meaning}"
        line = f"{line} — {entry.recovery}" if entry.recovery else line
        return line + said
    if said:
        return f"{result.tool} exited {result.label}{said}"
    return ""

"""How a whole ``exitkit run`` ended: the one record every reporter reads."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from exitkit.contracts.model import ExitCode, OutcomeRow
    from exitkit.run.policy import Label


class RunResult:
    """The command, what its last attempt ended with, what that means, and exitkit's verdict.

    ``status`` is what the last attempt ended with as a shell reads it (the child's code, 124 on a
    timeout, 126/127 when it could not start, 128+N for signal N); ``exit_code`` what exitkit
    exits with (0 for a tolerated code); ``outcome`` one of ``success``, ``tolerated``,
    ``failure``, ``timeout``, ``signal``; ``entry`` the contract's (or the shell's) row for
    ``status``, if any.
    """

    __slots__ = ("_command", "_entry", "argv", "attempts", "cancelled", "cause", "contract",
                 "duration", "error", "exit_code", "line", "line_refused", "outcome", "parent_died",
                 "signal", "status", "stderr_tail", "timed_out", "timeout", "tool")

    def __init__(
        self,
        *,
        argv: list[str],
        tool: str,
        contract: str | None,
        status: int,
        exit_code: int,
        outcome: str,
        entry: ExitCode | OutcomeRow | Label | None = None,
        line: str | None = None,
        line_refused: bool = False,
        stderr_tail: str | None = None,
        signal: int | None = None,
        timed_out: bool = False,
        parent_died: bool = False,
        timeout: float | None = None,
        attempts: int = 1,
        duration: float = 0.0,
        error: str | None = None,
        cause: str | None = None,
        cancelled: bool = False,
        command: str | None = None,
    ) -> None:
        self.argv = argv
        #: The command as messages show it (``exitkit run --as``), else *argv* quoted for bash.
        self._command = command
        #: What the messages call the command: its contract's name, else its basename.
        self.tool = tool
        self.contract = contract
        self.status = status
        self.exit_code = exit_code
        self.outcome = outcome
        self._entry = entry
        #: The stderr line behind ``entry`` when outcomes were read from stderr: the line that
        #: matched, or the error line that kept --ok from tolerating the run.
        self.line = line
        #: :attr:`line` is an error line that no outcome named by --ok explains.
        self.line_refused = line_refused
        #: The last lines the command wrote on stderr, when outcomes were read from there.
        self.stderr_tail = stderr_tail
        #: N when the child was killed by signal N (also by exitkit's own timeout signal).
        self.signal = signal
        self.timed_out = timed_out
        #: The shell that started exitkit went away, and exitkit stopped the command for it.
        self.parent_died = parent_died
        #: The --timeout in seconds, for the message that says it elapsed.
        self.timeout = timeout
        self.attempts = attempts
        self.duration = duration
        #: Why the command could not be started (the 126/127 message), if it could not.
        self.error = error
        #: What stopped the command, when exitkit knows more than the status: "timeout",
        #: "max-time", "cancelled" (the shell that started exitkit went away), "stopped" (a stop
        #: signal reached exitkit outside an attempt), "oom".
        self.cause = cause
        #: The CI job was cancelled: the shell that started exitkit died, or (in a CI job) a stop
        #: signal reached exitkit.
        self.cancelled = cancelled

    @property
    def command(self) -> str:
        """The command as messages show it (``exitkit run --as``), else *argv* quoted for bash."""
        if self._command is None:
            self._command = _command_line(self.argv)
        return self._command

    @property
    def entry(self) -> ExitCode | OutcomeRow | None:
        """The contract's (or the shell's) row for ``status``, or the outcome told apart by
        stderr; looked up on first use when given as a :class:`~exitkit.run.policy.Label`."""
        found = self._entry
        resolve = getattr(found, "resolve", None)  # a policy.Label (rows have no such method)
        if resolve is not None:
            found = self._entry = resolve()
        return found  # type: ignore[return-value]

    @property
    def name(self) -> str | None:
        return self.entry.name if self.entry is not None else None

    @property
    def label(self) -> str:
        """``5 (not-found)``, or ``42`` for a code nobody names."""
        return f"{self.status} ({self.entry.name})" if self.entry is not None else str(self.status)

    @property
    def uneventful(self) -> bool:
        """A success with nothing to tell beyond its status: no stderr line behind it, nothing
        that stopped the command. exitkit's own stderr says nothing of it (see
        :func:`exitkit.run.report.stderr.message`)."""
        return (self.outcome == "success" and self.line is None and self.error is None
                and self.cause is None)

    @property
    def signal_name(self) -> str | None:
        if self.signal is None:
            return None
        from exitkit.signals import signal_name

        return signal_name(self.signal) or str(self.signal)

    def to_dict(self) -> dict[str, Any]:
        """The ``--report`` JSON object."""
        from exitkit.text import escape

        entry = self.entry
        return {
            "argv": [printable(arg) for arg in self.argv],
            "contract": self.contract,
            "exit_code": self.exit_code,
            "raw_exit_code": self.status,
            "name": entry.name if entry is not None else None,
            "kind": entry.kind if entry is not None else None,
            "meaning": entry.meaning if entry is not None else None,
            "recovery": entry.recovery if entry is not None else None,
            "signal": self.signal_name,
            "timed_out": self.timed_out,
            "cause": self.cause,
            "cancelled": self.cancelled,
            "attempts": self.attempts,
            "duration": round(self.duration, 3),
            "outcome": self.outcome,
            "error": escape(self.error) if self.error is not None else None,
            "stderr_line": escape(self.quoted_line) if self.quoted_line is not None else None,
            "stderr_line_refused": self.line_refused,
            "stderr_tail": "\n".join(escape(line) for line in self.stderr_tail.split("\n"))
            if self.stderr_tail is not None else None,
        }

    @property
    def said(self) -> str:
        """`` (stderr: LINE)``, `` (not tolerated by --ok: LINE)``, or "" without a line."""
        if self.line is None:
            return ""
        if self.line_refused:
            return f" (not tolerated by --ok: {self.quoted_line})"
        return f" (stderr: {self.quoted_line})"

    @property
    def quoted_line(self) -> str | None:
        """:attr:`line`, shortened for a message."""
        if self.line is None:
            return None
        from exitkit.contracts.classify import quote

        return quote(self.line)


def printable(arg: str) -> str:
    """An argument as UTF-8 text: bytes that are not UTF-8 (surrogate-escaped) as ``\\xff``."""
    return arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _command_line(argv: list[str]) -> str:
    from exitkit.text import command_line

    return command_line(argv)

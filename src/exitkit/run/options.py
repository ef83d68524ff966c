"""``exitkit run``'s options, converted and checked: durations, the signal, counts, the CI mode.

What the options are is declared with the command (:data:`exitkit.run.command.COMMAND`, listed in
:mod:`exitkit.cli.spec`); the shared parser splits the command line, and :func:`from_parsed` turns
its strings into values or one ``run-failed`` error (125), so that no mistake of exitkit's can be
mistaken for the command's own status.
"""

from __future__ import annotations

import os

from exitkit.errors import ExitkitError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import signal as _signal

    from exitkit.cli.parse import Parsed
else:
    try:
        import _signal  # the C module behind `signal`, without its enum import
    except ImportError:  # not CPython
        import signal as _signal

#: What --ci accepts; ``auto`` means GitHub Actions when GITHUB_ACTIONS=true (the runner sets it).
CI_MODES = ("auto", "github", "none")


class Options:
    """``exitkit run``'s options with their defaults."""

    __slots__ = ("argv", "backoff", "ci", "contract", "display", "display_line", "kill_after",
                 "max_backoff", "max_time", "ok", "quiet", "report", "retries", "retry_on",
                 "signal", "timeout")

    def __init__(self) -> None:
        self.argv: list[str] = []
        #: The command line that names CMD (--as), as words; None: CMD names itself.
        self.display: list[str] | None = None
        #: How messages show the command given by --as: its first command line as written.
        self.display_line: str | None = None
        self.contract: str | None = None
        self.ok: list[str] = []
        self.timeout: float | None = None
        #: A bound on the whole run, every attempt and backoff included.
        self.max_time: float | None = None
        self.signal = int(_signal.SIGTERM)
        self.kill_after: float | None = 5.0
        self.retries = 0
        self.retry_on: list[str] = []
        self.backoff = 1.0
        self.max_backoff = 60.0
        self.report: str | None = None
        #: ``github`` or ``none``: --ci auto is decided when the options are read.
        self.ci = "none"
        self.quiet = False

    @property
    def github(self) -> bool:
        return self.ci == "github"

    @property
    def shown(self) -> list[str]:
        """The words that name the command: --as, else CMD itself."""
        return self.display if self.display is not None else self.argv

    @property
    def label(self) -> str:
        """The command as messages show it: --as's first line, else CMD quoted for bash."""
        if self.display_line is not None:
            return self.display_line
        from exitkit.text import command_line

        return command_line(self.argv)


def quoted(text: str) -> str:
    """:func:`exitkit.text.quoted`, imported only when a message needs it."""
    from exitkit.text import quoted as quote

    return quote(text)


def usage(message: str) -> ExitkitError:
    return ExitkitError("run-failed", message, hint="see 'exitkit run --help'")


def parse_args(args: list[str]) -> Options | None:
    """Parse ``exitkit run ARGS``; ``None`` for ``--help``. Raises :class:`ExitkitError`
    (run-failed) for any mistake."""
    from exitkit.cli.parse import parse
    from exitkit.run.command import COMMAND

    parsed = parse(COMMAND, args)
    return None if parsed.flag("help") else from_parsed(parsed)


def from_parsed(parsed: Parsed) -> Options:
    """Convert and check what the parser found."""
    opts = Options()
    opts.argv = parsed.words("argv")
    if not opts.argv:
        raise usage("no command to run")
    opts.contract = parsed.text("contract")
    display = parsed.text("display")
    if display is not None:
        opts.display_line, opts.display = display_of(display)
    opts.report = parsed.text("report")
    opts.quiet = parsed.flag("quiet")
    for dest in ("ok", "retry_on"):
        values = parsed.words(dest)
        items = [item.strip() for value in values for item in value.split(",")]
        if any(not item for item in items):
            raise usage(f"--{dest.replace('_', '-')}: empty item in {quoted(', '.join(values))}")
        setattr(opts, dest, items)
    retries = parsed.text("retries")
    if retries is not None:
        if not (retries.isascii() and retries.isdigit()) or len(retries) > 6:
            raise usage(f"--retries: expected a whole number up to 999999, got {quoted(retries)}")
        opts.retries = int(retries)
    signal_text = parsed.text("signal")
    if signal_text is not None:
        from exitkit.signals import parse_signal

        try:
            opts.signal = parse_signal(signal_text)
        except ValueError as exc:
            raise usage(f"--signal: {exc}") from None
    for dest in ("timeout", "max_time", "kill_after", "backoff", "max_backoff"):
        text = parsed.text(dest)
        if text is not None:
            from exitkit.run.durations import parse_duration

            try:
                seconds = parse_duration(text)
            except ValueError as exc:
                raise usage(f"--{dest.replace('_', '-')}: {exc}") from None
            if seconds == float("inf") and dest in ("backoff", "max_backoff"):
                raise usage(f"--{dest.replace('_', '-')}: {quoted(text)} is no finite duration")
            setattr(opts, dest, seconds)
    # Like GNU timeout: a duration of 0 disables the timeout, and the KILL that follows it; so
    # does one past any real limit (inf, 1e4932).
    for dest in ("timeout", "max_time", "kill_after"):
        if getattr(opts, dest) in (0, float("inf")):
            setattr(opts, dest, None)
    opts.ci = _ci_mode(parsed)
    return opts


def display_of(text: str) -> tuple[str, list[str]]:
    """How --as *text* (a shell script) is shown, and the words that name its command: its
    first line that is neither blank nor a comment, as written (`` …`` appended when more
    lines follow), and that line split as the shell would (quotes honoured)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    at = next((i for i, line in enumerate(lines) if not line.startswith("#")), None)
    first = lines[at] if at is not None else ""
    import shlex

    try:
        words = shlex.split(first, comments=True)
    except ValueError:  # an unfinished quote: the line continues past what --as shows
        words = first.split()
    from exitkit.text import escape

    shown = escape(first or text.strip() or "(empty)")
    if at is not None and at < len(lines) - 1:
        shown += " …"
    return shown, words or [shown]


def ci_mode(parsed: Parsed) -> str:
    """The CI mode a parsed command line asks for (see :func:`_ci_mode`), for error reporting
    before the other options were checked; "none" when even that is malformed."""
    try:
        return _ci_mode(parsed)
    except ExitkitError:
        return "none"


def _ci_mode(parsed: Parsed) -> str:
    """--ci, or --github / --no-github, else auto: GitHub when the runner says it is one."""
    mode = parsed.text("ci")
    if mode is None and parsed.given("github"):
        mode = "github" if parsed.flag("github") else "none"
    if mode is None:
        mode = "auto"
    if mode not in CI_MODES:
        raise usage(f"--ci: {quoted(mode)} is not one of {', '.join(CI_MODES)}")
    if mode == "auto":
        return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "none"
    return mode

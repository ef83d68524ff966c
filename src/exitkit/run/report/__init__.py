"""Where ``exitkit run`` reports to: exitkit's own stderr lines, the ``--report`` JSON file, and
GitHub Actions. Each sink is a :class:`Reporter` reading the same :class:`RunResult`; which sinks
a run has is decided once, by :func:`reporters`, from the options.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from exitkit.run.options import Options
    from exitkit.run.report.stderr import StderrReporter
    from exitkit.run.result import RunResult


class Reporter:
    """One sink. Every method must leave the command's status alone: a sink that cannot write
    says so (or stays silent) and returns."""

    def retrying(self, result: RunResult, delay: float, max_attempts: int) -> None:
        """Attempt ``result.attempts`` ended with *result*; the next starts after *delay* s."""

    def stopped_retrying(self, reason: str) -> None:
        """No further attempt, although one was due, because of *reason*."""

    def cancelling(self, result: RunResult) -> None:
        """The run is being cancelled (a stop signal reached exitkit in a CI job, or the shell
        that started it died) and may be killed any moment; *result* is what is known so far."""

    def finished(self, result: RunResult) -> None:
        """The run is over; *result* is final."""


def tell(sinks: Sequence[Reporter], event: str, *args: object) -> None:
    """Call the method *event* of every sink with *args*. A sink that fails says so in one line
    and the others still hear: reporting never changes the command's status."""
    for sink in sinks:
        try:
            getattr(sink, event)(*args)
        except Exception as exc:
            from exitkit.errors import write_stderr
            from exitkit.text import escape

            write_stderr(f"exitkit: could not report the result: {type(exc).__name__}: "
                         f"{escape(str(exc))}\n")


class StderrSink(Reporter):
    """exitkit's own lines on stderr: a :class:`~exitkit.run.report.stderr.StderrReporter`,
    loaded at the first event it may have something to say about. A run that succeeds
    uneventfully (``exitkit run -- true``, every passing CI step) never imports it."""

    def __init__(self, *, quiet: bool = False) -> None:
        self.quiet = quiet
        self._reporter: StderrReporter | None = None

    @property
    def reporter(self) -> StderrReporter:
        if self._reporter is None:
            from exitkit.run.report.stderr import StderrReporter

            self._reporter = StderrReporter(quiet=self.quiet)
        return self._reporter

    def say(self, line: str) -> None:
        """One of exitkit's lines (another sink's warning)."""
        self.reporter.say(line)

    def retrying(self, result: RunResult, delay: float, max_attempts: int) -> None:
        self.reporter.retrying(result, delay, max_attempts)

    def stopped_retrying(self, reason: str) -> None:
        self.reporter.stopped_retrying(reason)

    def cancelling(self, result: RunResult) -> None:
        self.reporter.cancelling(result)

    def finished(self, result: RunResult) -> None:
        if not result.uneventful:  # of an uneventful run the reporter says nothing
            self.reporter.finished(result)


def reporters(opts: Options) -> list[Reporter]:
    """The sinks for a run with *opts*: stderr always (it honours --quiet), the JSON file with
    --report, GitHub Actions with --ci github (or auto in a GitHub job)."""
    stderr = StderrSink(quiet=opts.quiet)
    sinks: list[Reporter] = [stderr]
    if opts.report is not None:
        from exitkit.run.report.jsonfile import JsonReporter

        sinks.append(JsonReporter(opts.report, stderr))
    if opts.github:
        from exitkit.run.report.github import GitHubReporter

        sinks.append(GitHubReporter())
    return sinks

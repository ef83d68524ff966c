"""Where ``exitkit run`` reports to: exitkit's own stderr lines, the ``--report`` JSON file, and
GitHub Actions. Each sink is a :class:`Reporter` reading the same :class:`RunResult`; which sinks
a run has is decided once, by :func:`reporters`, from the options.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from exitkit.run.options import Options
    from exitkit.run.result import RunResult


class Reporter:
    """One sink. Every method must leave the command's status alone: a sink that cannot write
    says so (or stays silent) and returns."""

    def retrying(self, result: RunResult, delay: float, max_attempts: int) -> None:
        """Attempt ``result.attempts`` ended with *result*; the next starts after *delay* s."""

    def stopped_retrying(self, reason: str) -> None:
        """No further attempt, although one was due, because of *reason*."""

    def finished(self, result: RunResult) -> None:
        """The run is over; *result* is final."""


def reporters(opts: Options) -> list[Reporter]:
    """The sinks for a run with *opts*: stderr always (it honours --quiet), the JSON file with
    --report, GitHub Actions with --ci github (or auto in a GitHub job)."""
    from exitkit.run.report.stderr import StderrReporter

    stderr = StderrReporter(quiet=opts.quiet)
    sinks: list[Reporter] = [stderr]
    if opts.report is not None:
        from exitkit.run.report.jsonfile import JsonReporter

        sinks.append(JsonReporter(opts.report, stderr))
    if opts.github:
        from exitkit.run.report.github import GitHubReporter

        sinks.append(GitHubReporter())
    return sinks

"""The attempts of one ``exitkit run``: run, decide whether to retry, back off, and make the
:class:`~exitkit.run.result.RunResult`. The child itself is the supervisor's business
(:mod:`exitkit.run.supervise`); what is printed is the reporters'.
"""

from __future__ import annotations

import os

from exitkit.run import policy
from exitkit.run.result import RunResult

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from exitkit.contracts.model import Contract
    from exitkit.run.options import Options
    from exitkit.run.report import Reporter
    from exitkit.run.supervise import Outcome


class Attempt:
    """What one run of the command ended with: a status, and the supervisor's account of it (or
    why it could not start)."""

    __slots__ = ("error", "outcome", "status")

    def __init__(self, status: int, outcome: Outcome | None, error: str | None) -> None:
        self.status = status
        self.outcome = outcome
        self.error = error


class Runner:
    """Runs the attempts of one ``exitkit run`` and returns how the whole run ended."""

    def __init__(self, opts: Options, contract: Contract | None, ok: policy.CodeSet,
                 retry_on: set[int], reporters: Sequence[Reporter] = ()) -> None:
        self.opts = opts
        self.contract = contract
        self.ok = ok
        self.retry_on = retry_on
        self.reporters = list(reporters)
        self.tool = contract.name if contract is not None else os.path.basename(opts.argv[0])
        # The shell that started us: its death stops the child and any further attempt.
        self.parent = os.getppid()
        #: The last attempt made.
        self.last: Attempt | None = None

    def parent_gone(self) -> bool:
        return self.parent > 1 and os.getppid() != self.parent

    def run(self) -> RunResult:
        import time

        start = time.monotonic()
        attempts = 0
        while True:
            attempts += 1
            attempt = self.last = self.attempt()
            if not self.should_retry(attempt, attempts):
                break
            delay = self.delay(attempts)
            progress = self.result(attempt, attempts, time.monotonic() - start)
            for reporter in self.reporters:
                reporter.retrying(progress, delay, self.opts.retries + 1)
            if not self.sleep(delay):
                for reporter in self.reporters:
                    reporter.stopped_retrying("the calling shell went away")
                break
        return self.result(attempt, attempts, time.monotonic() - start)

    def attempt(self) -> Attempt:
        from exitkit.run.supervise import SpawnError, supervise

        opts = self.opts
        try:
            outcome = supervise(opts.argv, timeout=opts.timeout, timeout_signal=opts.signal,
                                kill_after=opts.kill_after, parent=self.parent)
        except SpawnError as err:
            return Attempt(err.status, None, err.message)
        return Attempt(outcome.status, outcome, None)

    def should_retry(self, attempt: Attempt, attempts: int) -> bool:
        if attempts > self.opts.retries or attempt.status == 0 or attempt.status in self.ok:
            return False
        outcome = attempt.outcome
        if outcome is not None and (
            outcome.parent_died or any(sig in policy.STOP_SIGNALS for sig in outcome.forwarded)
        ):
            return False  # someone asked us to stop: forwarding it is all we do
        if self.parent_gone():
            return False
        return attempt.status in self.retry_on

    def sleep(self, delay: float) -> bool:
        """Sleep *delay* seconds; False as soon as the calling shell is gone."""
        import time

        end = time.monotonic() + delay
        while (left := end - time.monotonic()) > 0:
            time.sleep(min(left, 0.2))
            if self.parent_gone():
                return False
        return True

    def delay(self, attempts: int) -> float:
        import random

        # 2**60 seconds is past any --max-backoff; a bigger exponent would overflow a float
        ceiling = min(self.opts.max_backoff, self.opts.backoff * 2 ** min(attempts - 1, 60))
        return random.uniform(0, ceiling)

    def result(self, attempt: Attempt, attempts: int, duration: float) -> RunResult:
        outcome = attempt.outcome
        timed_out = outcome is not None and outcome.timed_out
        signal = outcome.signal if outcome is not None else None
        verdict = policy.verdict(attempt.status, timed_out=timed_out,
                                 signal=None if timed_out else signal, ok=self.ok)
        parent_died = outcome is not None and outcome.parent_died
        return RunResult(
            argv=self.opts.argv,
            tool=self.tool,
            contract=self.contract.name if self.contract is not None else None,
            status=attempt.status,
            exit_code=0 if verdict in ("success", "tolerated") else attempt.status,
            outcome=verdict,
            entry=policy.label(self.contract, attempt.status),
            signal=signal,
            timed_out=timed_out,
            parent_died=parent_died,
            timeout=self.opts.timeout,
            attempts=attempts,
            duration=duration,
            error=attempt.error,
            cause="cancelled" if parent_died else ("timeout" if timed_out else None),
        )

"""The attempts of one ``exitkit run``: run, decide whether to retry, back off, and make the
:class:`~exitkit.run.result.RunResult`. The child itself is the supervisor's business
(:mod:`exitkit.run.supervise`); what is printed is the reporters'.

One :class:`~exitkit.run.relay.SignalRelay` covers the whole run. A stop signal (INT, TERM, HUP,
QUIT) that reaches exitkit while a command runs is forwarded to it and no attempt follows; one that
arrives at any other moment — start-up, the instant an attempt ends, a backoff — ends the run at
once: exitkit reports and then dies of it. SIGALRM outside an attempt means time is up (124).
"""

from __future__ import annotations

import os
import time

from exitkit._status import TIMEOUT
from exitkit.run import policy
from exitkit.run.relay import FULL_STDERR_GRACE, JOB_STOPS, STOP_SIGNALS, TIMER, stop_self
from exitkit.run.report import tell
from exitkit.run.result import RunResult
from exitkit.signals import death_status

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from exitkit.contracts.classify import Lines
    from exitkit.contracts.model import Contract, ExitCode, OutcomeRow
    from exitkit.run.options import Options
    from exitkit.run.relay import SignalRelay
    from exitkit.run.report import Reporter
    from exitkit.run.supervise import Outcome


class Attempt:
    """What one run of the command ended with: a status, and the supervisor's account of it (or
    why it could not start)."""

    __slots__ = ("error", "lines", "max_time", "outcome", "status")

    def __init__(self, status: int, outcome: Outcome | None, error: str | None,
                 max_time: bool = False, lines: Lines | None = None) -> None:
        self.status = status
        self.outcome = outcome
        self.error = error
        #: It was stopped because --max-time ran out (not its own --timeout).
        self.max_time = max_time
        #: What it said on stderr, when outcomes are read from there.
        self.lines = lines

    def heard(self, accepted: set[str]) -> OutcomeRow | None:
        """The first of the *accepted* outcomes that holds by what the command said: only for a
        command that ended by itself (never after a timeout, a signal or a failure to start)."""
        outcome = self.outcome
        if (self.lines is None or not accepted or outcome is None or outcome.timed_out
                or outcome.signal is not None):
            return None
        return self.lines.holds(self.status, accepted)


class Stopped(Exception):
    """The run ends early: a stop signal (``signal``) or time being up (``timeout``)."""

    def __init__(self, signal: int | None = None, reason: str = "") -> None:
        super().__init__(reason)
        self.signal = signal
        self.reason = reason


class Runner:
    """Runs the attempts of one ``exitkit run`` and returns how the whole run ended."""

    def __init__(self, opts: Options, contract: Contract | None, ok: policy.CodeSet,
                 retry_on: set[int], reporters: Sequence[Reporter] = (),
                 relay: SignalRelay | None = None, retry_outcomes: set[str] | None = None,
                 ) -> None:
        self.opts = opts
        self.contract = contract
        self.ok = ok
        self.retry_on = retry_on
        #: Outcomes told apart by stderr that --retry-on names.
        self.retry_outcomes = retry_outcomes or set()
        #: The command's stderr is read only when --ok or --retry-on names such an outcome:
        #: otherwise it inherits exitkit's, untouched.
        self.listen = bool(contract is not None and (ok.outcomes or self.retry_outcomes))
        self.reporters = list(reporters)
        self.relay = relay
        if contract is not None:
            self.tool = contract.name
        else:
            from exitkit.contracts.resolve import command_name

            self.tool = command_name(opts.shown) or os.path.basename(opts.shown[0])
        # The shell that started us: its death stops the child and any further attempt.
        from exitkit._entry import PARENT

        self.parent = PARENT if PARENT is not None else os.getppid()
        #: The last attempt made, and how many were made (one count, read by every result).
        self.last: Attempt | None = None
        self.attempts = 0
        #: The shell that started us died between attempts: no further attempt, and the run
        #: was cancelled.
        self.abandoned = False
        self.start = time.monotonic()
        self.deadline = None if opts.max_time is None else self.start + opts.max_time
        self.time_not_up()

    @property
    def max_attempts(self) -> int:
        return self.opts.retries + 1

    def parent_gone(self) -> bool:
        return self.parent > 1 and os.getppid() != self.parent

    def run(self) -> RunResult:
        try:
            while True:
                self.check_signals()
                attempt = self.last = self.attempt(self.attempts + 1)
                self.attempts += 1
                attempts = self.attempts
                if not self.should_retry(attempt, attempts):
                    break
                delay = self.delay(attempts)
                if self.out_of_time(attempts, delay):
                    break
                self.time_not_up()  # a timed-out attempt is retried: the run's time is not up
                progress = self.result(attempt, attempts)
                tell(self.reporters, "retrying", progress, delay, self.max_attempts)
                if not self.sleep(delay):
                    self.abandoned = True
                    tell(self.reporters, "stopped_retrying", "the calling shell went away")
                    break
                if self.out_of_time(attempts):  # the retry line took it (a stderr nobody reads)
                    break
            self.check_signals()
        except Stopped as stop:
            return self.stopped(stop)
        return self.result(attempt, self.attempts)

    def out_of_time(self, attempts: int, delay: float = 0.0) -> bool:
        """Whether the next attempt, after *delay*, would start past --max-time: then the run's
        time is up, and the reporters hear why no attempt follows."""
        if self.deadline is None or time.monotonic() + delay < self.deadline:
            return False
        if self.relay is not None:
            self.relay.time_is_up()
        tell(self.reporters, "stopped_retrying",
             f"no time left for attempt {attempts + 1} within --max-time {self.opts.max_time:g}s")
        return True

    def check_signals(self) -> None:
        """End the run if a stop signal or SIGALRM reached us outside an attempt."""
        if self.relay is None:
            return
        signum = self.relay.stop_signal()
        if signum is not None:
            raise Stopped(signum)
        if TIMER in self.relay.pending:
            raise Stopped(None, "SIGALRM: time is up")

    def time_not_up(self) -> None:
        """exitkit's own lines wait for room on a full stderr as long as it takes, but never
        past --max-time and its grace."""
        if self.relay is not None:
            self.relay.write_deadline = None
            if self.deadline is not None:
                self.relay.time_is_up(self.deadline - time.monotonic() + FULL_STDERR_GRACE)

    def attempt(self, number: int) -> Attempt:
        from exitkit.run.supervise import SpawnError, supervise

        opts = self.opts
        self.time_not_up()  # a new attempt: its time is not up (an earlier one's may have been)
        timeout, max_time = opts.timeout, False
        if self.deadline is not None:
            left = max(self.deadline - time.monotonic(), 0.0)
            if timeout is None or left < timeout:
                timeout, max_time = left, True
        env = dict(os.environ, EXITKIT_ATTEMPT=str(number),
                   EXITKIT_MAX_ATTEMPTS=str(self.max_attempts))
        lines = capture = None
        if self.listen:
            from exitkit.contracts.classify import Lines
            from exitkit.run.capture import Capture

            assert self.contract is not None
            lines = Lines(self.contract)  # a new one each attempt: nothing carries over
            capture = Capture(lines)
            if self.contract.stderr.locale is not None:
                pin_locale(env, self.contract.stderr.locale)
        try:
            outcome = supervise(opts.argv, timeout=timeout, timeout_signal=opts.signal,
                                kill_after=opts.kill_after, env=env, parent=self.parent,
                                relay=self.relay, on_stop=lambda why: self.stopping(why, number),
                                capture=capture)
        except SpawnError as err:
            return Attempt(err.status, None, err.message)
        return Attempt(outcome.status, outcome, None, max_time and outcome.timed_out, lines)

    def stopping(self, signum: int | None, attempt: int) -> None:
        """The supervisor forwarded a stop signal (*signum*) or saw our shell die (None) while
        attempt *attempt* runs: a CI step being cancelled, which may be killed any moment. The
        reporters hear now what the result will be if all goes as expected."""
        if signum is None:
            status, outcome, cause = TIMEOUT, "timeout", "cancelled"
        else:
            status, outcome, cause = death_status(signum), "signal", None
        if not (self.opts.github or cause == "cancelled"):
            return
        expected = RunResult(
            argv=self.opts.shown, command=self.opts.display_line, tool=self.tool,
            contract=self.contract.name if self.contract is not None else None,
            status=status, exit_code=status, outcome=outcome,
            entry=policy.label(self.contract, status), signal=signum,
            timed_out=signum is None, parent_died=signum is None, timeout=self.opts.timeout,
            attempts=attempt, duration=time.monotonic() - self.start, cause=cause,
            cancelled=True,
        )
        tell(self.reporters, "cancelling", expected)

    def should_retry(self, attempt: Attempt, attempts: int) -> bool:
        if attempts > self.opts.retries or attempt.status == 0 or attempt.status in self.ok:
            return False
        if attempt.heard(self.ok.outcomes) is not None:
            return False  # tolerated by what it said: done, like a code --ok names
        outcome = attempt.outcome
        if outcome is not None and (
            outcome.parent_died or attempt.max_time
            or any(sig in STOP_SIGNALS for sig in outcome.forwarded)
        ):
            return False  # someone asked us to stop: forwarding it is all we do
        if self.parent_gone():
            return False
        return attempt.status in self.retry_on or attempt.heard(self.retry_outcomes) is not None

    def sleep(self, delay: float) -> bool:
        """Sleep *delay* seconds; False as soon as the calling shell is gone. A stop signal or
        SIGALRM ends the sleep and the run (:class:`Stopped`)."""
        end = time.monotonic() + delay
        while (left := end - time.monotonic()) > 0:
            if self.relay is not None:
                self.relay.wait(min(left, 0.2))
                self.check_signals()
                for signum in self.relay.take():  # USR1 and the like have no command to go to
                    if signum in JOB_STOPS:
                        stop_self(signum)  # a `kill -TSTP %1` during a backoff
            else:
                time.sleep(min(left, 0.2))
            if self.parent_gone():
                return False
        return True

    def delay(self, attempts: int) -> float:
        import random

        # 2**60 seconds is past any --max-backoff; a bigger exponent would overflow a float
        ceiling = min(self.opts.max_backoff, self.opts.backoff * 2 ** min(attempts - 1, 60))
        return random.uniform(0, ceiling)

    def stopped_late(self, signum: int) -> RunResult:
        """The result of a run whose stop signal came after its last attempt was judged."""
        return self.stopped(Stopped(signum))

    def stopped(self, stop: Stopped) -> RunResult:
        """The result of a run ended by a signal or by time running out outside an attempt.
        The status exitkit ends with is the signal's (or 124); the command's own, when an
        attempt ran, stays its raw status: exitkit was stopped, not the command."""
        if stop.signal is None:  # SIGALRM
            status, outcome, cause = TIMEOUT, "timeout", "timeout"
            if self.relay is not None:
                self.relay.time_is_up()
        else:
            status, outcome, cause = death_status(stop.signal), "signal", "stopped"
        last = self.last
        return RunResult(
            argv=self.opts.shown,
            command=self.opts.display_line,
            tool=self.tool,
            contract=self.contract.name if self.contract is not None else None,
            status=last.status if last is not None else status,
            exit_code=status,
            outcome=outcome,
            entry=policy.label(None, status),
            signal=stop.signal,
            timed_out=stop.signal is None,
            timeout=self.opts.timeout,
            attempts=self.attempts,
            duration=time.monotonic() - self.start,
            cause=cause,
            cancelled=stop.signal is not None and self.opts.github,
        )

    def result(self, attempt: Attempt, attempts: int) -> RunResult:
        outcome = attempt.outcome
        timed_out = outcome is not None and outcome.timed_out
        signal = outcome.signal if outcome is not None else None
        heard = attempt.heard(self.ok.outcomes)
        verdict = policy.verdict(attempt.status, timed_out=timed_out,
                                 signal=None if timed_out else signal, ok=self.ok, heard=heard)
        entry, line, refused = self.explain(attempt, verdict, heard)
        parent_died = outcome is not None and outcome.parent_died
        if parent_died or self.abandoned:
            cause = "cancelled"
        elif attempt.max_time:
            cause = "max-time"
        elif timed_out:
            cause = "timeout"
        elif outcome is not None and outcome.oom_killed:
            cause = "oom"
        else:
            cause = None
        stopped = outcome is not None and any(s in STOP_SIGNALS for s in outcome.forwarded)
        return RunResult(
            argv=self.opts.shown,
            command=self.opts.display_line,
            tool=self.tool,
            contract=self.contract.name if self.contract is not None else None,
            status=attempt.status,
            exit_code=0 if verdict in ("success", "tolerated") else attempt.status,
            outcome=verdict,
            entry=entry,
            line=line,
            line_refused=refused,
            stderr_tail=attempt.lines.tail if attempt.lines is not None else None,
            signal=signal,
            timed_out=timed_out,
            parent_died=parent_died,
            timeout=self.opts.max_time if attempt.max_time else self.opts.timeout,
            attempts=attempts,
            duration=time.monotonic() - self.start,
            error=attempt.error,
            cause=cause,
            cancelled=parent_died or self.abandoned or (stopped and self.opts.github),
        )

    def explain(self, attempt: Attempt, verdict: str, heard: OutcomeRow | None,
                ) -> tuple[ExitCode | OutcomeRow | policy.Label | None, str | None, bool]:
        """The row that names how *attempt* ended — the outcome --ok accepted, else one the
        command's stderr shows alone (``forbidden`` rather than ``error``), else the exit's — and
        the stderr line behind it: the one that matched, or the one that kept --ok from holding
        (then True)."""
        status = attempt.status
        lines = attempt.lines
        if heard is not None and lines is not None:
            return heard, lines.matched.get(heard.name), False
        if lines is None or verdict != "failure":
            return policy.Label(self.contract, status), None, False
        entry: ExitCode | OutcomeRow | None = policy.label(self.contract, status)
        said = lines.recognised(status)
        if said is not None:
            entry = said
        blocking = lines.unexplained(status, self.ok.outcomes) if self.ok.outcomes else None
        if blocking is not None:
            return entry, blocking, True
        return entry, lines.matched.get(said.name) if said is not None else None, False


def pin_locale(env: dict[str, str], locale: str) -> None:
    """Messages in *locale* (``C``: English) for a tool whose words are translated, keeping the
    character type: ``LC_MESSAGES`` set, ``LANGUAGE`` (which outranks it) removed, and an
    ``LC_ALL`` (which outranks both) moved to ``LANG``."""
    env.pop("LANGUAGE", None)
    all_ = env.pop("LC_ALL", None)
    if all_:
        env["LANG"] = all_
        # LC_ALL outranked every LC_* variable: they must not come back into force
        for name in [n for n in env if n.startswith("LC_")]:
            del env[name]
    env["LC_MESSAGES"] = locale

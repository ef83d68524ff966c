"""Run one command as a supervised child and report how it ended; pure process handling.

:func:`supervise` puts the parts together: :mod:`~exitkit.run.spawn` starts the command in its
own process group, :mod:`~exitkit.run.relay` catches the signals sent to us, :mod:`~exitkit.run.
terminal` shares the terminal, and the wait loop here forwards signals, stops the whole group at a
deadline or when our parent dies, and reaps the child. How it ended is an :class:`Outcome`;
:func:`~exitkit.run.outcome.exit_like` then makes the calling shell read the status the child
would have given it. Nothing here knows about contracts, the CLI or GitHub.

This module is on ``exitkit run``'s start-up path: it imports only modules that are already loaded
or cheap (``_signal`` instead of ``signal``, which would pull in ``enum``), and no ``subprocess``.
"""

from __future__ import annotations

import os
import time

from exitkit._status import TIMEOUT
from exitkit.run.relay import (
    FORWARDED_SIGNALS,
    JOB_STOPS,
    STOP_SIGNALS,
    TIMER,
    SignalRelay,
    child_defaults,
    child_mask,
    stop_self,
)
from exitkit.run.spawn import SpawnError, Start, find_command, spawn
from exitkit.signals import death_status

TYPE_CHECKING = False
if TYPE_CHECKING:
    import signal
    from collections.abc import Callable, Mapping

    from exitkit.run.capture import Capture
    from exitkit.run.terminal import Terminal
else:
    try:
        import _signal as signal  # the C module behind `signal`, without its enum import
    except ImportError:  # not CPython
        import signal

__all__ = ["FORWARDED_SIGNALS", "STOP_SIGNALS", "Outcome", "SpawnError", "find_command",
           "supervise"]

#: Longest wait between two looks at the child and at our parent (parent death is only polled).
_POLL_INTERVAL = 0.2
#: The same without a wake-up fd (supervise() called outside the main thread, no signal handlers).
_POLL_INTERVAL_NO_SIGNALS = 0.02
#: How long a child may take to stop on --signal once the shell that started us is gone, before
#: KILL: a cancelled GitHub step is killed 2.5 s after its SIGTERM, and its outputs must be
#: written by then.
_PARENT_GONE_KILL_AFTER = 1.0
#: How long a child may take to stop after a second stop signal before KILL: the runner kills a
#: cancelled step's process 2.5 s after its TERM, which follows its INT.
_INSIST_KILL_AFTER = 1.5
#: The wait status of a child reaped behind our back: nobody can know how it ended, so it reads as
#: exit status 255, the shell's "out of range" (a wait status holds the exit status in its second
#: byte).
_LOST_WAIT_STATUS = 0xFF00


class Outcome:
    """How one run of a command ended."""

    __slots__ = (
        "duration",
        "forwarded",
        "interrupted",
        "oom_killed",
        "parent_died",
        "pid",
        "returncode",
        "signal",
        "timed_out",
    )

    def __init__(
        self,
        returncode: int,
        *,
        signal: int | None = None,
        timed_out: bool = False,
        parent_died: bool = False,
        duration: float = 0.0,
        pid: int = 0,
        interrupted: int | None = None,
        forwarded: tuple[int, ...] = (),
        oom_killed: bool = False,
    ) -> None:
        #: The raw result: exit status 0..255, or -N when the child was killed by signal N.
        self.returncode = returncode
        #: N when the child was killed by signal N, else None.
        self.signal = signal
        #: The deadline passed, or our parent died, and we stopped the child.
        self.timed_out = timed_out
        #: Our parent process went away while the child ran (GitHub Actions cancelling a step).
        self.parent_died = parent_died
        #: Seconds from spawning the child to reaping it.
        self.duration = duration
        #: The child's process id (also its process group id).
        self.pid = pid
        #: INT or QUIT when the terminal sent it to the child's whole process group (Ctrl-C,
        #: Ctrl-\) while the child held the terminal; None otherwise.
        self.interrupted = interrupted
        #: The signals sent to us and forwarded to the child's group, in order.
        self.forwarded = forwarded
        #: The child died of a SIGKILL we did not send, and the kernel's OOM killer acted meanwhile.
        self.oom_killed = oom_killed

    @property
    def status(self) -> int:
        """The shell's view: 124 on timeout (always), the exit status, or 128+N for signal N."""
        if self.timed_out:
            return TIMEOUT
        if self.signal is not None:
            return death_status(self.signal)
        return self.returncode

    def __repr__(self) -> str:
        return (
            f"Outcome(returncode={self.returncode}, signal={self.signal}, "
            f"timed_out={self.timed_out}, parent_died={self.parent_died}, "
            f"duration={self.duration:.3f}, pid={self.pid}, interrupted={self.interrupted})"
        )


def supervise(
    argv: list[str],
    *,
    timeout: float | None = None,
    timeout_signal: int = signal.SIGTERM,
    kill_after: float | None = 5.0,
    env: Mapping[str, str] | None = None,
    parent: int | None = None,
    relay: SignalRelay | None = None,
    on_stop: Callable[[int | None], object] | None = None,
    capture: Capture | None = None,
) -> Outcome:
    """Run *argv* to completion and return its :class:`Outcome`.

    The child inherits our stdin, stdout, stderr and environment (or *env*), runs in a process group
    of its own and gets the terminal's foreground while it runs. At *timeout* seconds, when our
    parent dies, or when SIGALRM reaches us, *timeout_signal* goes to its whole group, and
    ``SIGKILL`` *kill_after* seconds later (never, if None); after such a stop nothing of the group
    survives. Signals sent to us (:data:`FORWARDED_SIGNALS`) are forwarded to the group. If we are
    killed outright, the child gets *timeout_signal* (Linux's parent-death signal).

    *relay* is the caller's signal relay (an ``exitkit run`` keeps one for all its attempts, so that
    no signal is lost between them); without one, handlers are installed for this run and restored
    before returning. *parent* is the process whose death stops the child (default: our parent
    now); a caller that runs several attempts passes the parent it started with. *on_stop* is
    called at once — before the child has ended — with the first stop signal forwarded to it, or
    with None when our parent died: a caller that may be killed soon (a cancelled CI step) can
    report in time. *capture*: the command's stderr goes through it (outcomes read from stderr);
    without it the command inherits ours. Raises :class:`SpawnError` if the command cannot start.
    """
    if not argv:
        raise ValueError("supervise() needs a command to run")
    for label, seconds in (("timeout", timeout), ("kill_after", kill_after)):
        if seconds is not None and not 0 <= seconds < float("inf"):
            raise ValueError(f"{label} must be a finite number of seconds >= 0, not {seconds!r}")
    path = find_command(argv[0], env)
    own_relay = relay is None
    if relay is None:
        relay = SignalRelay()
        relay.install()
    try:
        watch = _Watch(relay, timeout, int(timeout_signal), kill_after, parent, on_stop, capture)
        return watch.run(path, argv, os.environ if env is None else env)
    finally:
        if capture is not None:
            capture.close()
        if own_relay:
            relay.uninstall()


class _Watch:
    """The wait loop of one child: forward signals, keep the deadline, notice our parent's death,
    escalate to KILL, hand the terminal over and back, and reap orphans when we are PID 1."""

    __slots__ = ("capture", "deadline", "forwarded", "kill_after", "kill_at", "killed", "on_stop",
                 "parent_died", "pid", "ppid", "reaper", "relay", "stopping", "terminal",
                 "timed_out", "timeout", "timeout_signal")

    def __init__(self, relay: SignalRelay, timeout: float | None, timeout_signal: int,
                 kill_after: float | None, parent: int | None,
                 on_stop: Callable[[int | None], object] | None = None,
                 capture: Capture | None = None) -> None:
        self.relay = relay
        self.capture = capture
        self.on_stop = on_stop
        self.timeout = timeout
        self.timeout_signal = timeout_signal
        self.kill_after = kill_after
        self.deadline: float | None = None
        self.kill_at: float | None = None
        self.stopping = False
        self.timed_out = False
        self.parent_died = False
        #: We sent SIGKILL ourselves (escalation or cleanup).
        self.killed = False
        self.pid = 0
        # Parent death is seen as a change of parent; with init as parent already, nothing to see.
        ppid = os.getppid() if parent is None else parent
        self.ppid: int | None = ppid if ppid > 1 else None
        self.forwarded: list[int] = []
        #: The terminal shared with the child (see :func:`_shared_terminal`), or None.
        self.terminal: Terminal | None = None
        # As PID 1 (a container's entrypoint) every orphan in the namespace becomes our child, and
        # only we can reap it (tini does the same).
        self.reaper = os.getpid() == 1

    def run(self, path: str, argv: list[str], env: Mapping[str, str]) -> Outcome:
        from exitkit.run.oom import OomWatch

        terminal = self.terminal = _shared_terminal() if self.relay.active else None
        job_control = terminal is not None
        # The terminal, when exitkit's group holds its foreground (it goes to the child).
        foreground = terminal if terminal is not None and terminal.in_foreground() else None
        if foreground is not None:
            foreground.save_modes()
        oom = OomWatch()
        capture = self.capture
        child_stderr = capture.open() if capture is not None else None
        start = time.monotonic()
        self.pid = spawn(path, argv, env, Start(default=child_defaults([self.timeout_signal]),
                                                mask=child_mask(),
                                                pdeathsig=self.timeout_signal,
                                                stderr=child_stderr))
        if capture is not None:
            capture.started()
        if terminal is not None:  # `fg` may hand it the terminal later, if not now
            terminal.child = self.pid
        status: int | None = None
        try:
            if foreground is not None:
                foreground.watch_interrupts(self.pid)
                foreground.give_to(self.pid)
            if self.timeout is not None:
                self.deadline = start + self.timeout
            status = self.wait(os.WNOHANG | (os.WUNTRACED if job_control else 0))
        finally:
            if status is None:  # an exception in the loop: leave no child behind
                self.signal_group(signal.SIGKILL)
                _reap_quietly(self.pid)
            if self.stopping:
                # Stopped by us: whatever is left of its group (daemons, trapped TERM) goes too.
                self.signal_group(signal.SIGKILL)
            if terminal is not None and terminal.handed_over:
                terminal.take_back()
            if self.relay.active and (self.timed_out or any(
                    s in STOP_SIGNALS for s in self.forwarded)):
                self.relay.time_is_up()  # a full stderr nobody reads must not hold us for ever
            if capture is not None and status is not None:
                capture.finish(self.relay)  # the last bytes, and the classifier's last line
            interrupted = terminal.stop_watching() if terminal is not None else None
            if foreground is not None and status is not None and (
                self.stopping or os.WIFSIGNALED(status)
            ):
                foreground.restore_modes()  # a job that exits keeps its tty modes
        duration = time.monotonic() - start
        if os.WIFSIGNALED(status):
            signum = os.WTERMSIG(status)
            returncode, died_of = -signum, signum
        else:
            returncode, died_of = os.WEXITSTATUS(status), None
        return Outcome(
            returncode,
            signal=died_of,
            timed_out=self.timed_out,
            parent_died=self.parent_died,
            duration=duration,
            pid=self.pid,
            interrupted=interrupted,
            forwarded=tuple(self.forwarded),
            oom_killed=died_of == signal.SIGKILL and not self.killed and oom.acted(),
        )

    def wait(self, flags: int) -> int:
        """Loop until the child has ended; return its wait status."""
        while True:
            status = self.poll_child(flags)
            if status is not None:
                if not os.WIFSTOPPED(status):
                    return status
                if self.terminal is not None:  # stops are reported only with job control
                    self.terminal.child_stopped(os.WSTOPSIG(status), self.signal_group)
                continue
            now = time.monotonic()
            for signum in self.relay.take():
                if signum in JOB_STOPS:
                    self.suspend(signum, flags)
                    continue
                if signum == TIMER:  # SIGALRM: "time is up", as for GNU timeout
                    if not self.stopping:
                        self.timed_out = True
                        self.stop(now)
                    continue
                if signum in STOP_SIGNALS and any(s in STOP_SIGNALS for s in self.forwarded):
                    self.insist(now)
                self.forwarded.append(signum)
                self.signal_group(signum)
                if signum in STOP_SIGNALS:  # a stopped process could not act on it (GNU timeout)
                    self.signal_group(signal.SIGCONT)
                if signum in STOP_SIGNALS and self.on_stop is not None:
                    self.on_stop(signum)
                    self.on_stop = None
            if not self.stopping:
                if self.deadline is not None and now >= self.deadline:
                    self.timed_out = True
                    self.stop(now)
                elif self.ppid is not None and os.getppid() != self.ppid:
                    # The shell running us is gone. GitHub's runner signals only the step's shell
                    # on cancel, so this is the only news we get; the child must not run on.
                    self.parent_died = self.timed_out = True
                    # A cancelled CI step is killed seconds later: KILL comes soon, whatever
                    # --kill-after says, and the caller reports now.
                    self.stop(now, kill_after=_PARENT_GONE_KILL_AFTER)
                    if self.on_stop is not None:
                        self.on_stop(None)
                        self.on_stop = None
            elif self.kill_at is not None and now >= self.kill_at:
                self.kill_at = None
                self.signal_group(signal.SIGKILL)
            if self.terminal is not None and self.terminal.stopped is not None:
                self.terminal.resume_if_possible(self.signal_group)
            capture = self.capture
            if capture is None:
                self.relay.wait(self.sleep_time(now))
                continue
            self.relay.wait(self.sleep_time(now), capture.watch())
            capture.pump()
            if capture.pty and capture.resize():
                self.signal_group(signal.SIGWINCH)  # read the new size: it is the pty's now

    def poll_child(self, flags: int) -> int | None:
        """The child's wait status, or None while it runs. As PID 1, every other exited process
        is reaped on the way."""
        if self.reaper:
            return self.reap_all(flags)
        try:
            pid, status = os.waitpid(self.pid, flags)
        except ChildProcessError:  # reaped behind our back (SIGCHLD ignored meanwhile?)
            return _LOST_WAIT_STATUS
        return status if pid else None

    def reap_all(self, flags: int) -> int | None:
        found: int | None = None
        while True:
            try:
                pid, status = os.waitpid(-1, flags)
            except ChildProcessError:
                return _LOST_WAIT_STATUS if found is None else found
            if pid == 0:
                return found
            if pid == self.pid:
                if os.WIFSTOPPED(status):
                    return status
                found = status
            elif os.WIFSTOPPED(status):
                continue

    def sleep_time(self, now: float) -> float:
        wait = _POLL_INTERVAL if self.relay.active else _POLL_INTERVAL_NO_SIGNALS
        if self.deadline is not None and not self.stopping:
            wait = min(wait, self.deadline - now)
        if self.kill_at is not None:
            wait = min(wait, self.kill_at - now)
        return max(wait, 0.0)

    def stop(self, now: float, kill_after: float | None = None) -> None:
        """Begin stopping the child as on a timeout; KILL follows after --kill-after, or after
        *kill_after* if that is sooner."""
        self.stopping = True
        self.signal_group(self.timeout_signal)
        if self.timeout_signal not in (signal.SIGKILL, signal.SIGCONT):
            self.signal_group(signal.SIGCONT)  # a stopped child could not act on it (GNU timeout)
        if self.kill_after is not None:
            delay = self.kill_after if kill_after is None else min(self.kill_after, kill_after)
            self.kill_at = now + delay

    def suspend(self, signum: int, flags: int) -> None:
        """A job-control stop sent to exitkit (``kill -TSTP %1``): the command's group gets it
        too, and exitkit stops with it; when exitkit is continued, so is the command."""
        self.signal_group(signum)
        if flags & os.WUNTRACED:
            return  # with a terminal: the command's stop report stops us (Terminal.child_stopped)
        stop_self(signum)
        self.signal_group(signal.SIGCONT)

    def insist(self, now: float) -> None:
        """A second stop signal: whoever sends it means it (a second Ctrl-C; the runner's TERM
        after its INT, with its KILL of exitkit 2.5 s away). KILL follows it soon, so that the
        command's group cannot outlive us, unless --kill-after says never."""
        if self.kill_after is None:
            return
        self.stopping = True
        kill_at = now + min(self.kill_after, _INSIST_KILL_AFTER)
        self.kill_at = kill_at if self.kill_at is None else min(self.kill_at, kill_at)

    def signal_group(self, signum: int) -> None:
        if signum == signal.SIGKILL:
            self.killed = True
        _kill_group(self.pid, signum)


def _shared_terminal() -> Terminal | None:
    """exitkit's controlling terminal, to share with the child; None without one. Only a tty
    among fds 0, 1 and 2 can be it: without one (CI, pipes, files) :mod:`exitkit.run.terminal` is
    not even loaded."""
    if not any(os.isatty(fd) for fd in (0, 1, 2)):
        return None
    from exitkit.run.terminal import Terminal

    terminal = Terminal()
    return terminal if terminal.find() else None


def _kill_group(pgid: int, signum: int) -> bool:
    """``killpg``; False when the group is gone (ESRCH) or not ours (EPERM)."""
    try:
        os.killpg(pgid, signum)
    except OSError:
        return False
    return True


def _reap_quietly(pid: int) -> None:
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        return

"""Catching the signals sent to exitkit: queued in order, never lost, and waking the wait loop.

``exitkit run`` holds the signals it relays from its first milliseconds (:func:`hold_signals`),
then installs one :class:`SignalRelay` for the whole run: every attempt, every backoff, start-up
included. A signal that arrives at any moment is queued, and its byte on Python's wake-up fd ends
any :meth:`SignalRelay.wait` at once (so does SIGCHLD, when the command ends). What to do with a
signal is the caller's business: the supervisor forwards it to the command's process group, the
runner stops retrying.

A signal ignored when exitkit started (``nohup``, ``cmd &`` in a script) stays ignored and is not
relayed; blocked ones stay blocked, except ALRM and CHLD, as with GNU ``timeout``.
"""

from __future__ import annotations

import os
import select
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    import signal
    from collections.abc import Callable, Iterable
    from types import FrameType
    from typing import Any

    _Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None
else:
    try:
        import _signal as signal  # the C module behind `signal`, without its enum import
    except ImportError:  # not CPython
        import signal


def _existing(*names: str) -> tuple[int, ...]:
    return tuple(int(getattr(signal, name)) for name in names if hasattr(signal, name))


#: Signals people and supervisors stop things with: after one, no attempt starts.
STOP_SIGNALS: tuple[int, ...] = _existing("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT")
#: SIGALRM sent to exitkit means "your time is up", as for GNU timeout: the command is stopped as
#: on --timeout.
TIMER: int = int(signal.SIGALRM)
#: Every other signal whose default would kill exitkit and leave the command running as an orphan;
#: they are forwarded to the command's process group. (The faults — SEGV, BUS, ILL, FPE, TRAP,
#: SYS, ABRT — are left alone: a handler cannot safely return from a real one.)
_RTMIN, _RTMAX = getattr(signal, "SIGRTMIN", 0), getattr(signal, "SIGRTMAX", -1)
FORWARDED_SIGNALS: tuple[int, ...] = (
    *STOP_SIGNALS,
    *_existing("SIGUSR1", "SIGUSR2", "SIGVTALRM", "SIGPROF", "SIGXCPU", "SIGPWR", "SIGIO",
               "SIGSTKFLT", "SIGEMT", "SIGLOST"),
    *range(int(_RTMIN), int(_RTMAX) + 1),
)
#: Job-control stops (TSTP, TTIN, TTOU) sent to exitkit: the command is stopped with it and
#: continued with it, as when both share a group (GNU timeout's case): a `kill -TSTP %1` meant for
#: exitkit's job would otherwise never reach the command's group. See :func:`stop_self`.
JOB_STOPS: tuple[int, ...] = _existing("SIGTSTP", "SIGTTIN", "SIGTTOU")
#: Everything the relay catches.
RELAYED: frozenset[int] = frozenset({*FORWARDED_SIGNALS, TIMER, int(signal.SIGCHLD), *JOB_STOPS})
#: How long exitkit still waits for room on a full stderr once the run's time is up (a timeout,
#: --max-time, SIGALRM, the calling shell's death) or a stop signal was passed on to the command:
#: a stderr nobody reads must not keep a run that was told to end alive for ever. GNU timeout
#: prints nothing then; exitkit's line, or the last bytes it relays for the command, are dropped
#: after this.
FULL_STDERR_GRACE = 5.0

_inherited_mask: frozenset[int] | None = None


def hold_signals(started_with: Iterable[int] | None = None) -> None:
    """Block every relayed signal until a relay is installed, remembering the mask exitkit was
    started with (*started_with*, when the caller blocked them already and kept the old mask).
    ``exitkit run`` does this first: a signal in its first milliseconds then waits in the kernel
    instead of killing exitkit or being lost."""
    global _inherited_mask
    if _inherited_mask is None:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, RELAYED)
        _inherited_mask = frozenset(previous if started_with is None else started_with)


def inherited_mask() -> frozenset[int]:
    """The signal mask exitkit was started with."""
    if _inherited_mask is not None:
        return _inherited_mask
    return frozenset(signal.pthread_sigmask(signal.SIG_BLOCK, ()))


def inherited_ignored() -> frozenset[int]:
    """Signals that were ignored when exitkit started. SIGPIPE and SIGXFSZ are not among them:
    CPython ignores both for itself at start-up, so whether the caller did is unknowable."""
    own = set(_existing("SIGPIPE", "SIGXFSZ", "SIGXFZ"))
    return frozenset(
        s for s in signal.valid_signals()
        if s not in own and _disposition(s) == signal.SIG_IGN
    )


def _disposition(signum: int) -> object:
    try:
        return signal.getsignal(signum)
    except (OSError, ValueError):  # pragma: no cover - KILL and STOP have none to read
        return None


class SignalRelay:
    """The handlers and wake-up fd of one supervised run, or of a whole ``exitkit run``."""

    __slots__ = ("pending", "poller", "saved_handlers", "saved_wakeup_fd", "wakeup_r", "wakeup_w",
                 "write_deadline")

    def __init__(self) -> None:
        #: Signals received and not yet taken, in order.
        self.pending: list[int] = []
        self.saved_handlers: dict[int, _Handler] = {}
        self.saved_wakeup_fd: int | None = None
        self.wakeup_r = -1
        self.wakeup_w = -1
        self.poller: select.poll | None = None
        #: When waiting for room on a full stderr ends (time.monotonic()), or None: as long as it
        #: takes, unless a stop signal arrives. Set once the run's time is up.
        self.write_deadline: float | None = None

    @property
    def active(self) -> bool:
        """Whether handlers are installed (only the main thread can have them)."""
        return self.wakeup_r >= 0

    def install(self) -> bool:
        """Install the handlers and the wake-up fd; False (and nothing installed) outside the main
        thread. Signals held since start-up are delivered to the new handlers."""
        r, w = pipe()
        os.set_blocking(r, False)
        os.set_blocking(w, False)
        try:
            self.saved_wakeup_fd = signal.set_wakeup_fd(w, warn_on_full_buffer=False)
        except ValueError:  # not the main thread: no handlers possible
            os.close(r)
            os.close(w)
            return False
        hold_signals()
        self.wakeup_r, self.wakeup_w = r, w
        if hasattr(select, "poll"):  # select() fails on fds above 1023; poll() has no such limit
            self.poller = select.poll()
            self.poller.register(r, select.POLLIN)
        for signum in sorted(RELAYED):
            previous = _disposition(signum)
            if previous == signal.SIG_IGN and signum != TIMER and signum != signal.SIGCHLD:
                continue
            self.saved_handlers[signum] = previous  # type: ignore[assignment]
            handler = self._on_sigchld if signum == signal.SIGCHLD else self._on_signal
            signal.signal(signum, handler)
        # Held signals arrive now, in the new handlers; blocked-when-started ones stay blocked.
        signal.pthread_sigmask(signal.SIG_SETMASK, child_mask())
        return True

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.pending.append(signum)

    def _on_sigchld(self, signum: int, frame: FrameType | None) -> None:
        pass  # its byte on the wake-up fd is what wakes the wait loop

    def take(self) -> list[int]:
        """The signals received since the last call, oldest first."""
        taken = list(self.pending)
        del self.pending[: len(taken)]
        return taken

    def stop_signal(self) -> int | None:
        """The first pending stop signal (INT, TERM, HUP, QUIT), if any, left pending."""
        return next((s for s in self.pending if s in STOP_SIGNALS), None)

    def suspend_if_asked(self) -> None:
        """While there is no command to hand it to (it has ended): a pending Ctrl-Z (TSTP, or
        TTIN/TTOU) stops exitkit itself, as it would stop the command, and returns once
        continued. The other pending signals stay pending."""
        stops = [s for s in self.pending if s in JOB_STOPS]
        if stops:
            self.pending[:] = [s for s in self.pending if s not in JOB_STOPS]
            stop_self(stops[0])

    def time_is_up(self, grace: float = FULL_STDERR_GRACE) -> None:
        """The run's time is up: from now on, waiting for room on a full stderr ends within
        *grace* seconds."""
        deadline = time.monotonic() + grace
        if self.write_deadline is None or deadline < self.write_deadline:
            self.write_deadline = deadline

    def stop_writing(self) -> bool:
        """Whether to give up waiting for room on a full stderr: a stop signal is pending, or
        :attr:`write_deadline` has passed."""
        return self.stop_signal() is not None or (
            self.write_deadline is not None and time.monotonic() >= self.write_deadline)

    def wait_for_room(self, fds: Iterable[tuple[int, int]]) -> None:
        """Sleep until one of *fds* is ready, a signal arrives, a second passes, or the write
        deadline comes."""
        seconds = 1.0
        if self.write_deadline is not None:
            seconds = min(seconds, self.write_deadline - time.monotonic())
        self.sleep(seconds, fds)

    def write_until_stopped(self, fd: int, data: bytes) -> None:
        """Write *data* to *fd* (exitkit's stderr), waiting for room as long as it takes unless a
        stop signal (INT, TERM, HUP, QUIT) is pending or the run's time is up and its grace is
        over (:meth:`time_is_up`): then the rest is dropped, so that a full pipe nobody reads
        cannot keep exitkit from ending."""
        view = memoryview(data)
        while view:
            if not _has_room(fd):
                if self.stop_writing():
                    return
                self.wait_for_room([(fd, select.POLLOUT)])
                continue
            try:  # a pipe with room takes PIPE_BUF bytes without blocking
                view = view[os.write(fd, view[:_PIPE_BUF]):]
            except BlockingIOError:  # O_NONBLOCK, set by another user of this stderr
                continue

    def wait(self, seconds: float, fds: Iterable[tuple[int, int]] = ()) -> None:
        """Sleep up to *seconds*, less if a signal arrives (SIGCHLD included) or one of *fds*
        (``(fd, poll events)`` pairs) is ready; not at all while signals wait to be taken."""
        if not self.pending:
            self.sleep(seconds, fds)

    def sleep(self, seconds: float, fds: Iterable[tuple[int, int]] = ()) -> None:
        """:meth:`wait`, whether or not signals wait to be taken: for a caller that only looks
        for a stop signal among them (:meth:`stop_signal`)."""
        seconds = max(seconds, 0.0)
        fds = list(fds)
        if fds:
            readable = self._wait_with(seconds, fds)
        elif self.wakeup_r < 0:
            import time

            time.sleep(seconds)
            return
        elif self.poller is not None:
            readable = bool(self.poller.poll(seconds * 1000.0))
        else:
            readable = bool(select.select([self.wakeup_r], [], [], seconds)[0])
        if readable:
            try:
                while os.read(self.wakeup_r, 256):
                    pass
            except BlockingIOError:
                pass

    def _wait_with(self, seconds: float, fds: list[tuple[int, int]]) -> bool:
        """Poll *fds* and the wake-up fd; True when the wake-up fd has bytes to drain."""
        poller = select.poll()
        for fd, events in fds:
            poller.register(fd, events)
        if self.wakeup_r >= 0:
            poller.register(self.wakeup_r, select.POLLIN)
        ready = poller.poll(seconds * 1000.0)
        return self.wakeup_r >= 0 and any(fd == self.wakeup_r for fd, _ in ready)

    def uninstall(self) -> None:
        """Put back every handler, the previous wake-up fd and the start-up mask."""
        signal.pthread_sigmask(signal.SIG_BLOCK, RELAYED)
        for signum, handler in self.saved_handlers.items():
            # None: a handler not installed from Python, which cannot be put back from Python.
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        self.saved_handlers.clear()
        if self.saved_wakeup_fd is not None:
            signal.set_wakeup_fd(self.saved_wakeup_fd)
            self.saved_wakeup_fd = None
        for fd in (self.wakeup_r, self.wakeup_w):
            if fd >= 0:
                os.close(fd)
        self.wakeup_r = self.wakeup_w = -1
        self.poller = None
        signal.pthread_sigmask(signal.SIG_SETMASK, inherited_mask())


def pipe() -> tuple[int, int]:
    """``os.pipe()``, both ends above fd 2: when exitkit was started with stdin, stdout or
    stderr closed, a pipe of its own must not take their place (its bytes would go to the
    command, or the command's to it)."""
    return above_std(os.pipe())


def above_std(fds: tuple[int, int]) -> tuple[int, int]:
    """*fds* moved to numbers above 2 where they are not already (close-on-exec kept)."""
    if min(fds) > 2:
        return fds
    import fcntl

    moved = []
    for fd in fds:
        if fd <= 2:
            high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3)
            os.close(fd)
            fd = high
        moved.append(fd)
    return moved[0], moved[1]


def stop_self(signum: int, group: int | None = None) -> None:
    """Stop exitkit (or its process *group*) by *signum* as if it were not caught; returns once
    continued. Nothing happens for a signal exitkit inherited as ignored (``cmd &`` in a script
    without job control must not stop)."""
    previous = signal.signal(signum, signal.SIG_DFL)
    try:
        if previous != signal.SIG_IGN:
            if group is None:
                os.kill(os.getpid(), signum)
            else:
                os.killpg(group, signum)
    except OSError:
        pass
    finally:
        signal.signal(signum, previous)


#: What a pipe with room takes at once, in one piece (PIPE_BUF: 4096 on Linux, 512 at least).
_PIPE_BUF = getattr(select, "PIPE_BUF", 512)


def _has_room(fd: int) -> bool:
    """Whether a write to *fd* would not block now."""
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(fd, select.POLLOUT)
        return bool(poller.poll(0))
    return bool(select.select([], [fd], [], 0)[1])


def child_mask() -> frozenset[int]:
    """The mask exitkit runs with, and starts its command with: the one it was started with, but
    with ALRM and CHLD never blocked (GNU timeout does the same)."""
    return inherited_mask() - {TIMER, int(signal.SIGCHLD)}


def child_defaults(extra: Iterable[int] = ()) -> frozenset[int]:
    """Signals the command starts with at their default action: every one exitkit did not find
    ignored when it started, plus *extra* (the timeout signal, which must work even when the
    caller ignored it)."""
    catchable = set(signal.valid_signals()) - {int(signal.SIGKILL), int(signal.SIGSTOP)}
    # KILL and STOP (--signal KILL) always act as default: there is nothing to set, and trying
    # to would fail
    return frozenset((catchable - inherited_ignored()) | (set(extra) & catchable))

"""How one run of a command ended, and how exitkit hands that on to the shell that called it.

:class:`Outcome` is the supervisor's account (exit status or signal, timeout, parent death);
:attr:`Outcome.status` is the one mapping from that account to the status a shell reads;
:func:`exit_like` makes exitkit end the same way, dying of the child's signal where it died of one.
"""

from __future__ import annotations

import os
import sys

from exitkit._status import TIMEOUT
from exitkit.signals import death_status

TYPE_CHECKING = False
if TYPE_CHECKING:
    import signal
    from typing import NoReturn
else:
    try:
        import _signal as signal  # the C module behind `signal`, without its enum import
    except ImportError:  # not CPython
        import signal


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


def exit_like(outcome: Outcome) -> NoReturn:
    """Exit so that the calling shell reads ``outcome.status``.

    A child killed by signal N (not by our timeout) is mirrored by dying of N ourselves, core dumps
    off, as GNU timeout does: shells treat a signal death differently from exit 128+N (an
    interactive shell's loop stops on Ctrl-C only then).
    """
    if outcome.signal is not None and not outcome.timed_out:
        die_of(outcome.signal, whole_group=outcome.interrupted == outcome.signal)
    _flush()
    sys.exit(outcome.status)


#: Signals whose death macOS records as a crash, with a report in ~/Library/Logs/DiagnosticReports:
#: mirroring a child's death by one of them would file a report against Python each time.
_CRASH_SIGNALS = frozenset(
    int(getattr(signal, name)) for name in (
        "SIGSEGV", "SIGBUS", "SIGABRT", "SIGQUIT", "SIGILL", "SIGFPE", "SIGTRAP", "SIGSYS")
    if hasattr(signal, name)
)


def die_of(signum: int, *, whole_group: bool = False) -> NoReturn:
    """End exitkit by *signum*, core dumps off, so that the calling shell reads 128+N.

    *whole_group*: deliver it to exitkit's whole process group (the calling script's shell, its
    pipeline) — only when the terminal sent it to the command's group, which held the terminal:
    without exitkit the caller would have received it too. Where dying of the signal is not
    possible (PID 1 ignores it) or not wise (macOS files a crash report for SEGV, ABRT, QUIT and the
    like), exitkit exits 128+N instead.
    """
    _flush()
    try:
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_CORE)
        # The child dumped core already, if it was going to; we are only mirroring its death.
        resource.setrlimit(resource.RLIMIT_CORE, (0, hard))
    except (ImportError, OSError, ValueError):
        pass
    if not (sys.platform == "darwin" and signum in _CRASH_SIGNALS):
        try:
            if signum != signal.SIGKILL:
                signal.signal(signum, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signum})
            if whole_group and signum in (signal.SIGINT, signal.SIGQUIT):
                os.killpg(os.getpgrp(), signum)
            else:
                os.kill(os.getpid(), signum)
        except (OSError, ValueError):
            pass
    os._exit(death_status(signum))


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass

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
        "foreground",
        "forwarded",
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
        foreground: bool = False,
        forwarded: tuple[int, ...] = (),
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
        #: The child held the terminal's foreground, so it, not we, received Ctrl-C and Ctrl-\.
        self.foreground = foreground
        #: The signals sent to us and forwarded to the child's group, in order.
        self.forwarded = forwarded

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
            f"duration={self.duration:.3f}, pid={self.pid}, foreground={self.foreground})"
        )


def exit_like(outcome: Outcome) -> NoReturn:
    """Exit so that the calling shell reads ``outcome.status``.

    A child killed by signal N (not by our timeout) is mirrored by dying of N ourselves, core dumps
    off, as GNU timeout does: shells treat a signal death differently from exit 128+N (an
    interactive shell's loop stops on Ctrl-C only then). If that is impossible we exit 128+N.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass
    if outcome.signal is not None and not outcome.timed_out:
        _die_of(outcome.signal, whole_group=outcome.foreground)
        os._exit(death_status(outcome.signal))
    sys.exit(outcome.status)


def _die_of(signum: int, *, whole_group: bool) -> None:
    """Kill ourselves with *signum*; returns only if we survived it."""
    try:
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_CORE)
        # The child dumped core already, if it was going to; we are only mirroring its death.
        resource.setrlimit(resource.RLIMIT_CORE, (0, hard))
    except (ImportError, OSError, ValueError):
        pass
    try:
        if signum != signal.SIGKILL:
            signal.signal(signum, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signum})
        if whole_group and signum in (signal.SIGINT, signal.SIGQUIT):
            # The child held the terminal, so Ctrl-C reached only its group. Without exitkit it
            # would have reached ours too (a script's shell, a pipeline): deliver it there now, or
            # `bash script.sh` would carry on after its exitkit line was interrupted.
            os.killpg(os.getpgrp(), signum)
        else:
            os.kill(os.getpid(), signum)
    except (OSError, ValueError):
        pass

"""How exitkit hands on how its command ended to the shell that called it.

The supervisor's account of a run is an :class:`~exitkit.run.supervise.Outcome`;
:func:`exit_like` makes exitkit end the same way, dying of the child's signal where it died of one,
and :func:`die_of` ends exitkit by a signal. Only a run that must end like that loads this module.
"""

from __future__ import annotations

import os
import sys

from exitkit.signals import death_status

TYPE_CHECKING = False
if TYPE_CHECKING:
    import signal
    from typing import NoReturn

    from exitkit.run.supervise import Outcome
else:
    try:
        import _signal as signal  # the C module behind `signal`, without its enum import
    except ImportError:  # not CPython
        import signal


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

"""Sharing the terminal with the command, as a job-control shell does.

While the command runs in the foreground its process group owns the terminal, so Ctrl-C, Ctrl-\\
and Ctrl-Z reach it directly and a full-screen program can read keys. When it stops (Ctrl-Z, or
wanting the terminal while in the background), exitkit stops too so the user's shell sees a
stopped job; ``fg``/``bg`` continue exitkit, which continues the command.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    import signal
    from collections.abc import Callable
    from typing import Any
else:
    try:
        import _signal as signal  # the C module behind `signal`, without its enum import
    except ImportError:  # not CPython
        import signal

#: Stops that come from the terminal: Ctrl-Z, and reading from or setting it in the background.
JOB_CONTROL_STOPS = (signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU)


class Terminal:
    """exitkit's controlling terminal (one of fds 0, 1, 2), if it has one, and the command's use
    of it. ``fd`` is -1 without a terminal; every method is then a no-op."""

    __slots__ = ("child", "child_modes", "fd", "handed_over", "own_pgrp", "saved_modes",
                 "stopped", "used_foreground")

    def __init__(self) -> None:
        self.fd = -1
        self.own_pgrp = os.getpgrp()
        self.child = 0
        self.handed_over = False
        #: The command held the terminal's foreground at some point (so it got Ctrl-C directly).
        self.used_foreground = False
        #: The job-control signal the command is stopped by, while exitkit waits to resume it.
        self.stopped: int | None = None
        self.saved_modes: list[Any] | None = None
        self.child_modes: list[Any] | None = None

    def find(self) -> bool:
        """Use the first of fds 0, 1, 2 that is our controlling terminal, if any."""
        for fd in (0, 1, 2):
            try:
                os.tcgetpgrp(fd)
            except OSError:
                continue
            self.fd = fd
            return True
        return False

    def foreground(self) -> int:
        try:
            return os.tcgetpgrp(self.fd)
        except OSError:
            return -1

    def in_foreground(self) -> bool:
        """Whether exitkit's group owns the terminal now (it may then give it to the command)."""
        return self.fd >= 0 and self.foreground() == self.own_pgrp

    def save_modes(self) -> None:
        self.saved_modes = _tty_modes(self.fd)

    def give_to(self, pid: int) -> None:
        """Make the command's group (*pid*) the foreground."""
        self.child = pid
        self._call(os.tcsetpgrp, self.fd, pid)
        self.handed_over = self.used_foreground = True

    def take_back(self) -> None:
        self._call(os.tcsetpgrp, self.fd, self.own_pgrp)
        self.handed_over = False

    def restore_modes(self) -> None:
        """As bash does for a job that was killed: its tty modes go, ours come back."""
        if self.saved_modes is not None:
            self._call(_set_tty_modes, self.fd, self.saved_modes)

    def _call(self, func: Callable[..., object], *args: Any) -> None:
        """Call a terminal function with SIGTTOU ignored: a background caller would be stopped."""
        previous = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
        try:
            func(*args)
        except OSError:
            pass
        finally:
            signal.signal(signal.SIGTTOU, signal.SIG_DFL if previous is None else previous)

    def child_stopped(self, signum: int, signal_child: Callable[[int], object]) -> None:
        """The command stopped by *signum*; *signal_child* signals its group."""
        if signum not in JOB_CONTROL_STOPS:
            return  # SIGSTOP: whoever sent it will send SIGCONT
        if signum != signal.SIGTSTP and self.foreground() == self.child:
            # It touched the terminal between spawn and our hand-over, and was stopped for it.
            signal_child(signal.SIGCONT)
            return
        # Ctrl-Z, or the terminal wanted while we are in the background: stop as a job would
        # without exitkit, so the user's shell sees a stopped job; `fg` / `bg` continue us.
        self.stopped = signum
        if self.handed_over:
            self.child_modes = _tty_modes(self.fd)  # vim's raw mode, for when it resumes
            self.take_back()
        _kill_group(self.own_pgrp, signum)  # returns when continued, at once if orphaned
        self.resume_if_possible(signal_child, after_our_stop=True)

    def resume_if_possible(self, signal_child: Callable[[int], object], *,
                           after_our_stop: bool = False) -> None:
        """Continue a command stopped for the terminal once it may have it again."""
        foreground = self.foreground()
        if foreground == self.own_pgrp:  # `fg`: the terminal is ours again, so the child's
            if self.child_modes is not None:
                self._call(_set_tty_modes, self.fd, self.child_modes)
                self.child_modes = None
            self.give_to(self.child)
        elif foreground != self.child and not (
            after_our_stop and self.stopped == signal.SIGTSTP
        ):
            return  # in the background and wanting the terminal: wait until we are `fg`
        # else the terminal is the child's already, or `bg` continued us after Ctrl-Z
        self.stopped = None
        signal_child(signal.SIGCONT)


def _tty_modes(fd: int) -> list[Any] | None:
    import termios

    try:
        return termios.tcgetattr(fd)
    except termios.error:
        return None


def _set_tty_modes(fd: int, modes: list[Any]) -> None:
    import termios

    try:
        termios.tcsetattr(fd, termios.TCSADRAIN, modes)
    except termios.error:
        return


def _kill_group(pgid: int, signum: int) -> bool:
    """``killpg``; False when the group is gone (ESRCH) or not ours (EPERM)."""
    try:
        os.killpg(pgid, signum)
    except OSError:
        return False
    return True

"""Sharing the terminal with the command, as a job-control shell does.

While the command runs in the foreground its process group owns the terminal, so Ctrl-C, Ctrl-\\
and Ctrl-Z reach it directly and a full-screen program can read keys. When it stops (Ctrl-Z, or
wanting the terminal while in the background), exitkit stops too so the user's shell sees a
stopped job; ``fg``/``bg`` continue exitkit, which continues the command.
"""

from __future__ import annotations

import os

from exitkit.run.relay import stop_self

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
                 "sentinel", "sentinel_pipe", "stopped", "used_foreground")

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
        #: The process watching for Ctrl-C and Ctrl-\\ in the command's group (see
        #: :meth:`watch_interrupts`), and the read end of its pipe.
        self.sentinel = 0
        self.sentinel_pipe = -1

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

    def watch_interrupts(self, group: int) -> None:
        """Put a sentinel process into the command's group, to learn whether Ctrl-C or Ctrl-\\
        came from the terminal.

        Once the command's group holds the terminal, Ctrl-C reaches that group only, not the shell
        script that ran exitkit. Without exitkit the script would have received it too and
        stopped its loop, so exitkit passes it on — but only when it was the terminal's doing: a
        command killed by ``kill -INT`` from elsewhere must not take its caller down (bash and GNU
        timeout carry on then). Nothing in how the command ended tells the two apart; a process
        of our own in the same group does, because only a signal to the whole group reaches it.
        """
        read_fd, write_fd = os.pipe()
        parent = os.getpid()
        watched = {signal.SIGINT, signal.SIGQUIT, signal.SIGALRM}
        # Blocked before the fork, so that the sentinel holds a Ctrl-C that comes before it ran a
        # line of its own (on a busy machine it may not run for a while).
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, watched)
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the sentinel; tests check what it reports
            code = 0
            try:
                os.close(read_fd)
                signal.set_wakeup_fd(-1)
                for signum in signal.valid_signals() - {signal.SIGKILL, signal.SIGSTOP}:
                    _quietly(signal.signal, signum, signal.SIG_DFL)
                os.setpgid(0, group)
                signal.setitimer(signal.ITIMER_REAL, 0.5, 0.5)
                while True:
                    received = signal.sigwait(watched)
                    if received != signal.SIGALRM:
                        os.write(write_fd, bytes([received]))
                        break
                    if os.getppid() != parent:
                        break
            except BaseException:
                code = 1
            os._exit(code)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        os.close(write_fd)
        # It may have got there first, or the command's group may be gone already: both fine.
        _quietly(os.setpgid, pid, group)
        self.sentinel, self.sentinel_pipe = pid, read_fd

    def stop_watching(self) -> int | None:
        """End the sentinel; the signal it saw the terminal send (INT or QUIT), if any."""
        if not self.sentinel:
            return None
        seen = None
        _quietly(os.kill, self.sentinel, signal.SIGKILL)
        _quietly(os.waitpid, self.sentinel, 0)  # the PID 1 reaper may have reaped it
        _quietly(os.set_blocking, self.sentinel_pipe, False)
        try:
            data = os.read(self.sentinel_pipe, 1)
            seen = data[0] if data else None
        except OSError:
            pass
        os.close(self.sentinel_pipe)
        self.sentinel, self.sentinel_pipe = 0, -1
        return seen

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
        stop_self(signum, self.own_pgrp)  # returns when continued, at once if orphaned
        self.resume_if_possible(signal_child, after_our_stop=True)

    def resume_if_possible(self, signal_child: Callable[[int], object], *,
                           after_our_stop: bool = False) -> None:
        """Continue a command stopped for the terminal once it may have it again."""
        foreground = self.foreground()
        if foreground == self.own_pgrp:  # `fg`: the terminal is ours again, so the child's
            if self.child_modes is not None:
                self._call(_set_tty_modes, self.fd, self.child_modes)
                self.child_modes = None
            if not self.sentinel:  # started in the background: its first time in front
                self.watch_interrupts(self.child)
            self.give_to(self.child)
        elif foreground != self.child and not (
            after_our_stop and self.stopped == signal.SIGTSTP
        ):
            return  # in the background and wanting the terminal: wait until we are `fg`
        # else the terminal is the child's already, or `bg` continued us after Ctrl-Z
        self.stopped = None
        signal_child(signal.SIGCONT)


def _quietly(func: Callable[..., object], *args: Any) -> None:
    """Call *func*; an OSError (the process or group is gone) or ValueError is no news here.
    (Not contextlib.suppress: contextlib is not loaded on exitkit run's start-up path.)"""
    try:
        func(*args)
    except (OSError, ValueError):
        return


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

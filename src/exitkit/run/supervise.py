"""Run one command as a supervised child and report how it ended; pure process handling.

:func:`supervise` spawns the command in its own process group, forwards the signals sent to us,
stops the whole group at a deadline or when our parent dies, shares the terminal like a job-control
shell, and reaps the child. :func:`exit_like` then makes the calling shell read the status the
child would have given it. Nothing here knows about contracts, the CLI or GitHub.

This module is on ``exitkit run``'s start-up path: it imports only modules that are already loaded
or cheap (``_signal`` instead of ``signal``, which would pull in ``enum``), and no ``subprocess``.
"""

from __future__ import annotations

import os
import select
import stat
import sys
import time

from exitkit._status import COMMAND_NOT_FOUND, NOT_EXECUTABLE, TIMEOUT
from exitkit.signals import death_status

TYPE_CHECKING = False
if TYPE_CHECKING:
    import signal
    from collections.abc import Callable, Mapping
    from types import FrameType
    from typing import Any, NoReturn

    _Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None
else:
    try:
        import _signal as signal  # the C module behind `signal`, without its enum import
    except ImportError:  # not CPython
        import signal

#: Signals sent to exitkit that are passed on to the child's process group (SPEC "exitkit run").
FORWARDED_SIGNALS: tuple[int, ...] = (
    signal.SIGINT,
    signal.SIGTERM,
    signal.SIGHUP,
    signal.SIGQUIT,
    signal.SIGUSR1,
    signal.SIGUSR2,
)
#: Stops that come from the terminal: Ctrl-Z, and reading from or setting it in the background.
_JOB_CONTROL_STOPS = (signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU)
#: Python ignores these at start-up; a child must get them back at their defaults (subprocess's
#: restore_signals does the same).
_RESET_IN_CHILD: tuple[int, ...] = tuple(
    getattr(signal, name) for name in ("SIGPIPE", "SIGXFSZ", "SIGXFZ") if hasattr(signal, name)
)
#: Longest wait between two looks at the child and at our parent (parent death is only polled).
_POLL_INTERVAL = 0.2
#: The same without a wake-up fd (supervise() called outside the main thread, no signal handlers).
_POLL_INTERVAL_NO_SIGNALS = 0.02

#: The wait status of a child reaped behind our back: nobody can know how it ended, so it reads as
#: exit status 255, the shell's "out of range" (a wait status holds the exit status in its second
#: byte).
_LOST_WAIT_STATUS = 0xFF00


class SpawnError(Exception):
    """The command could not be started; ``status`` is what a shell would have answered."""

    def __init__(self, status_name: str, message: str) -> None:
        super().__init__(message)
        #: ``"command-not-found"`` (shell status 127) or ``"not-executable"`` (126).
        self.status_name = status_name
        self.message = message

    @property
    def status(self) -> int:
        if self.status_name == "command-not-found":
            return COMMAND_NOT_FOUND
        return NOT_EXECUTABLE


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


def find_command(name: str, env: Mapping[str, str] | None = None) -> str:
    """Return the file a shell would run for *name*, searching ``$PATH`` (from *env*) like a shell.

    Raises :class:`SpawnError`: ``command-not-found`` when there is no such file,
    ``not-executable`` when there is one that cannot be run (no permission, a directory).
    """
    if "/" in name:
        try:
            mode = os.stat(name).st_mode
        except FileNotFoundError:
            raise SpawnError("command-not-found", f"{name}: No such file or directory") from None
        except OSError as exc:  # ENOTDIR, EACCES on a directory, ELOOP: bash answers 126 as well
            raise SpawnError("not-executable", f"{name}: {exc.strerror}") from None
        if stat.S_ISDIR(mode):
            raise SpawnError("not-executable", f"{name}: Is a directory")
        if not os.access(name, os.X_OK):
            raise SpawnError("not-executable", f"{name}: Permission denied")
        return name
    if name:
        search = (os.environ if env is None else env).get("PATH")
        denied = None
        for directory in (os.defpath if search is None else search).split(os.pathsep):
            candidate = os.path.join(directory or ".", name)  # an empty entry means "."
            try:
                mode = os.stat(candidate).st_mode
            except OSError:
                continue
            if stat.S_ISDIR(mode):  # a shell skips directories while searching
                continue
            if os.access(candidate, os.X_OK):
                return candidate
            if denied is None:  # like bash: the first non-executable match, if nothing better
                denied = candidate
        if denied is not None:
            raise SpawnError("not-executable", f"{denied}: Permission denied")
    raise SpawnError("command-not-found", f"{name}: command not found")


def supervise(
    argv: list[str],
    *,
    timeout: float | None = None,
    timeout_signal: int = signal.SIGTERM,
    kill_after: float | None = 5.0,
    env: dict[str, str] | None = None,
    parent: int | None = None,
) -> Outcome:
    """Run *argv* to completion and return its :class:`Outcome`.

    The child inherits our stdin, stdout, stderr and environment (or *env*), runs in a process group
    of its own and gets the terminal's foreground while it runs. At *timeout* seconds, or when our
    parent dies, *timeout_signal* goes to its whole group, and ``SIGKILL`` *kill_after* seconds
    later (never, if None); after such a stop nothing of the group survives. INT, TERM, HUP, QUIT,
    USR1 and USR2 sent to us are forwarded to the group. Signal handlers, the wake-up fd and the
    terminal are restored before returning. Raises :class:`SpawnError` if it cannot be started.
    *parent* is the process whose death stops the child (default: our parent now); a caller that
    runs several attempts passes the parent it started with, so a death between attempts counts.
    """
    if not argv:
        raise ValueError("supervise() needs a command to run")
    for label, seconds in (("timeout", timeout), ("kill_after", kill_after)):
        if seconds is not None and not 0 <= seconds < float("inf"):
            raise ValueError(f"{label} must be a finite number of seconds >= 0, not {seconds!r}")
    path = find_command(argv[0], env)
    run = _Run(timeout, int(timeout_signal), kill_after, parent)
    run.install()
    try:
        return run.run(path, argv, os.environ if env is None else env)
    finally:
        run.uninstall()


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


class _Run:
    """One supervised child: its signals, terminal, deadline and wait loop."""

    __slots__ = (
        "child_stopped",
        "child_tty_modes",
        "deadline",
        "forwarded",
        "handed_over",
        "kill_after",
        "kill_at",
        "own_pgrp",
        "parent_died",
        "pending",
        "pid",
        "poller",
        "ppid",
        "saved_handlers",
        "saved_tty_modes",
        "saved_wakeup_fd",
        "stopping",
        "timed_out",
        "timeout",
        "timeout_signal",
        "tty",
        "used_foreground",
        "wakeup_r",
        "wakeup_w",
    )

    def __init__(
        self,
        timeout: float | None,
        timeout_signal: int,
        kill_after: float | None,
        parent: int | None = None,
    ) -> None:
        self.timeout = timeout
        self.timeout_signal = timeout_signal
        self.kill_after = kill_after
        self.deadline: float | None = None
        self.kill_at: float | None = None
        self.stopping = False
        self.timed_out = False
        self.parent_died = False
        self.pending: list[int] = []
        self.saved_handlers: dict[int, _Handler] = {}
        self.saved_wakeup_fd: int | None = None
        self.wakeup_r = -1
        self.wakeup_w = -1
        self.poller: select.poll | None = None
        self.pid = 0
        self.own_pgrp = os.getpgrp()
        # Parent death is seen as a change of parent; with init as parent already, nothing to see.
        ppid = os.getppid() if parent is None else parent
        self.ppid: int | None = ppid if ppid > 1 else None
        self.forwarded: list[int] = []
        self.tty = -1
        self.handed_over = False
        self.used_foreground = False
        self.child_stopped: int | None = None
        self.saved_tty_modes: list[Any] | None = None
        self.child_tty_modes: list[Any] | None = None

    # -- signal handlers ---------------------------------------------------------------------

    def install(self) -> None:
        """Install our handlers and wake-up fd; must happen before the child exists."""
        r, w = os.pipe()
        os.set_blocking(r, False)
        os.set_blocking(w, False)
        try:
            self.saved_wakeup_fd = signal.set_wakeup_fd(w, warn_on_full_buffer=False)
        except ValueError:  # not the main thread: no handlers possible; poll instead
            os.close(r)
            os.close(w)
            return
        self.wakeup_r, self.wakeup_w = r, w
        if hasattr(select, "poll"):  # select() fails on fds above 1023; poll() has no such limit
            self.poller = select.poll()
            self.poller.register(r, select.POLLIN)
        for signum in FORWARDED_SIGNALS:
            previous = signal.getsignal(signum)
            if previous == signal.SIG_IGN:
                # Ignored when we were started (nohup, `cmd &` in a script): the child inherits
                # that through exec, as it would without exitkit.
                continue
            self.saved_handlers[signum] = previous
            signal.signal(signum, self._on_signal)
        self.saved_handlers[signal.SIGCHLD] = signal.getsignal(signal.SIGCHLD)
        signal.signal(signal.SIGCHLD, self._on_sigchld)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.pending.append(signum)

    def _on_sigchld(self, signum: int, frame: FrameType | None) -> None:
        pass  # its byte on the wake-up fd is what wakes the wait loop

    def uninstall(self) -> None:
        """Put back every handler and the previous wake-up fd."""
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

    # -- the child -----------------------------------------------------------------------------

    def run(self, path: str, argv: list[str], env: Mapping[str, str]) -> Outcome:
        job_control = self.wakeup_r >= 0 and self._find_terminal()
        in_foreground = job_control and self._foreground() == self.own_pgrp
        if in_foreground:
            self.saved_tty_modes = _tty_modes(self.tty)
        start = time.monotonic()
        try:
            self.pid = os.posix_spawn(path, argv, env, setpgroup=0, setsigdef=_RESET_IN_CHILD)
        except OSError as exc:
            raise _spawn_error(path, exc) from None
        status: int | None = None
        try:
            if in_foreground:
                self._hand_terminal_to_child()
            if self.timeout is not None:
                self.deadline = start + self.timeout
            status = self._wait(os.WNOHANG | (os.WUNTRACED if job_control else 0))
        finally:
            if status is None:  # an exception in the loop: leave no child behind
                self._signal_group(signal.SIGKILL)
                _reap_quietly(self.pid)
            if self.stopping:
                # Stopped by us: whatever is left of its group (daemons, trapped TERM) goes too.
                self._signal_group(signal.SIGKILL)
            if self.handed_over:
                self._take_terminal_back()
            if (
                status is not None
                and self.saved_tty_modes is not None
                and (self.stopping or os.WIFSIGNALED(status))
            ):
                # As bash does: a job that exits keeps its tty modes, one that was killed doesn't.
                self._tty_call(_set_tty_modes, self.tty, self.saved_tty_modes)
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
            foreground=self.used_foreground,
            forwarded=tuple(self.forwarded),
        )

    def _wait(self, flags: int) -> int:
        """Loop until the child has ended; return its wait status."""
        while True:
            status = self._poll_child(flags)
            if status is not None:
                if not os.WIFSTOPPED(status):
                    return status
                self._on_child_stopped(os.WSTOPSIG(status))
                continue
            while self.pending:
                signum = self.pending.pop(0)
                self.forwarded.append(signum)
                self._signal_group(signum)
            now = time.monotonic()
            if not self.stopping:
                if self.deadline is not None and now >= self.deadline:
                    self.timed_out = True
                    self._stop(now)
                elif self.ppid is not None and os.getppid() != self.ppid:
                    # The shell running us is gone. GitHub's runner signals only the step's shell
                    # on cancel, so this is the only news we get; the child must not run on.
                    self.parent_died = self.timed_out = True
                    self._stop(now)
            elif self.kill_at is not None and now >= self.kill_at:
                self.kill_at = None
                self._signal_group(signal.SIGKILL)
            if self.child_stopped is not None:
                self._resume_child_if_possible(after_our_stop=False)
            self._sleep(now)

    def _poll_child(self, flags: int) -> int | None:
        try:
            pid, status = os.waitpid(self.pid, flags)
        except ChildProcessError:  # reaped behind our back (SIGCHLD ignored meanwhile?)
            return _LOST_WAIT_STATUS
        return status if pid else None

    def _sleep(self, now: float) -> None:
        wait = _POLL_INTERVAL if self.wakeup_r >= 0 else _POLL_INTERVAL_NO_SIGNALS
        if self.deadline is not None and not self.stopping:
            wait = min(wait, self.deadline - now)
        if self.kill_at is not None:
            wait = min(wait, self.kill_at - now)
        wait = max(wait, 0.0)
        if self.wakeup_r < 0:
            time.sleep(wait)
            return
        if self.poller is not None:
            readable = bool(self.poller.poll(wait * 1000.0))
        else:
            readable = bool(select.select([self.wakeup_r], [], [], wait)[0])
        if readable:
            try:
                while os.read(self.wakeup_r, 256):
                    pass
            except BlockingIOError:
                pass

    def _stop(self, now: float) -> None:
        """Begin stopping the child as on a timeout."""
        self.stopping = True
        self._signal_group(self.timeout_signal)
        if self.timeout_signal not in (signal.SIGKILL, signal.SIGCONT):
            self._signal_group(signal.SIGCONT)  # a stopped child could not act on it (GNU timeout)
        if self.kill_after is not None:
            self.kill_at = now + self.kill_after

    def _signal_group(self, signum: int) -> None:
        _kill_group(self.pid, signum)

    # -- the terminal --------------------------------------------------------------------------

    def _find_terminal(self) -> bool:
        """Use the first of fds 0, 1, 2 that is our controlling terminal, if any."""
        for fd in (0, 1, 2):
            try:
                os.tcgetpgrp(fd)
            except OSError:
                continue
            self.tty = fd
            return True
        return False

    def _foreground(self) -> int:
        try:
            return os.tcgetpgrp(self.tty)
        except OSError:
            return -1

    def _tty_call(self, func: Callable[..., object], *args: Any) -> None:
        """Call a terminal function with SIGTTOU ignored: a background caller would be stopped."""
        previous = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
        try:
            func(*args)
        except OSError:
            pass
        finally:
            signal.signal(signal.SIGTTOU, signal.SIG_DFL if previous is None else previous)

    def _hand_terminal_to_child(self) -> None:
        self._tty_call(os.tcsetpgrp, self.tty, self.pid)
        self.handed_over = self.used_foreground = True

    def _take_terminal_back(self) -> None:
        self._tty_call(os.tcsetpgrp, self.tty, self.own_pgrp)
        self.handed_over = False

    def _on_child_stopped(self, signum: int) -> None:
        """The child stopped (we wait with WUNTRACED only when there is a terminal)."""
        if signum not in _JOB_CONTROL_STOPS:
            return  # SIGSTOP: whoever sent it will send SIGCONT
        if signum != signal.SIGTSTP and self._foreground() == self.pid:
            # It touched the terminal between spawn and our hand-over, and was stopped for it.
            self._signal_group(signal.SIGCONT)
            return
        # Ctrl-Z, or the terminal wanted while we are in the background: stop as a job would
        # without exitkit, so the user's shell sees a stopped job; `fg` / `bg` continue us.
        self.child_stopped = signum
        if self.handed_over:
            self.child_tty_modes = _tty_modes(self.tty)  # vim's raw mode, for when it resumes
            self._take_terminal_back()
        _kill_group(self.own_pgrp, signum)  # returns when continued, at once if orphaned
        self._resume_child_if_possible(after_our_stop=True)

    def _resume_child_if_possible(self, *, after_our_stop: bool) -> None:
        foreground = self._foreground()
        if foreground == self.own_pgrp:  # `fg`: the terminal is ours again, so the child's
            if self.child_tty_modes is not None:
                self._tty_call(_set_tty_modes, self.tty, self.child_tty_modes)
                self.child_tty_modes = None
            self._hand_terminal_to_child()
        elif foreground != self.pid and not (
            after_our_stop and self.child_stopped == signal.SIGTSTP
        ):
            return  # in the background and wanting the terminal: wait until we are `fg`
        # else the terminal is the child's already, or `bg` continued us after Ctrl-Z
        self.child_stopped = None
        self._signal_group(signal.SIGCONT)


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


def _reap_quietly(pid: int) -> None:
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        return


def _spawn_error(path: str, exc: OSError) -> SpawnError:
    """Explain why exec failed on a file that exists (find_command checked that), like bash."""
    import errno

    if exc.errno in (errno.ENOENT, errno.ENOTDIR) and not os.path.exists(path):
        return SpawnError("command-not-found", f"{path}: No such file or directory")
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        interpreter = _interpreter(path)
        if interpreter:  # ENOENT for a file that exists: its #! interpreter is missing
            return SpawnError(
                "not-executable", f"{path}: {interpreter}: bad interpreter: {exc.strerror}"
            )
    if exc.errno == errno.ENOEXEC:
        return SpawnError("not-executable", f"{path}: cannot execute: {exc.strerror}")
    return SpawnError("not-executable", f"{path}: {exc.strerror}")


def _interpreter(path: str) -> str | None:
    try:
        with open(path, "rb") as script:
            first = script.readline(256)
    except OSError:
        return None
    if not first.startswith(b"#!"):
        return None
    words = first[2:].split()
    return os.fsdecode(words[0]) if words else None

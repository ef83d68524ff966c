"""Catching the signals sent to exitkit: queued in order, never lost, and waking the wait loop.

A :class:`SignalRelay` replaces the handlers of the signals exitkit passes on to its command and
points Python's wake-up fd at a pipe, so that a signal (and SIGCHLD, when the command ends) ends
any :meth:`~SignalRelay.wait` at once. What to do with a signal is the caller's business: the
supervisor forwards it to the command's process group.
"""

from __future__ import annotations

import os
import select

TYPE_CHECKING = False
if TYPE_CHECKING:
    import signal
    from collections.abc import Callable
    from types import FrameType
    from typing import Any

    _Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None
else:
    try:
        import _signal as signal  # the C module behind `signal`, without its enum import
    except ImportError:  # not CPython
        import signal

#: Signals sent to exitkit that are passed on to the child's process group.
FORWARDED_SIGNALS: tuple[int, ...] = (
    signal.SIGINT,
    signal.SIGTERM,
    signal.SIGHUP,
    signal.SIGQUIT,
    signal.SIGUSR1,
    signal.SIGUSR2,
)


class SignalRelay:
    """The handlers and wake-up fd of one supervised run (or of a whole ``exitkit run``)."""

    __slots__ = ("pending", "poller", "saved_handlers", "saved_wakeup_fd", "wakeup_r", "wakeup_w")

    def __init__(self) -> None:
        #: Signals received and not yet taken, in order.
        self.pending: list[int] = []
        self.saved_handlers: dict[int, _Handler] = {}
        self.saved_wakeup_fd: int | None = None
        self.wakeup_r = -1
        self.wakeup_w = -1
        self.poller: select.poll | None = None

    @property
    def active(self) -> bool:
        """Whether handlers are installed (only the main thread can have them)."""
        return self.wakeup_r >= 0

    def install(self) -> bool:
        """Install the handlers and the wake-up fd; False (and nothing installed) outside the main
        thread. A signal ignored when exitkit started (nohup, ``cmd &`` in a script) is left
        ignored: the child inherits that through exec, as it would without exitkit."""
        r, w = os.pipe()
        os.set_blocking(r, False)
        os.set_blocking(w, False)
        try:
            self.saved_wakeup_fd = signal.set_wakeup_fd(w, warn_on_full_buffer=False)
        except ValueError:  # not the main thread: no handlers possible
            os.close(r)
            os.close(w)
            return False
        self.wakeup_r, self.wakeup_w = r, w
        if hasattr(select, "poll"):  # select() fails on fds above 1023; poll() has no such limit
            self.poller = select.poll()
            self.poller.register(r, select.POLLIN)
        for signum in FORWARDED_SIGNALS:
            previous = signal.getsignal(signum)
            if previous == signal.SIG_IGN:
                continue
            self.saved_handlers[signum] = previous
            signal.signal(signum, self._on_signal)
        self.saved_handlers[signal.SIGCHLD] = signal.getsignal(signal.SIGCHLD)
        signal.signal(signal.SIGCHLD, self._on_sigchld)
        return True

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.pending.append(signum)

    def _on_sigchld(self, signum: int, frame: FrameType | None) -> None:
        pass  # its byte on the wake-up fd is what wakes the wait loop

    def take(self) -> list[int]:
        """The signals received since the last call, oldest first."""
        taken, self.pending[:] = list(self.pending), []
        return taken

    def wait(self, seconds: float) -> None:
        """Sleep up to *seconds*, less if a signal arrives (SIGCHLD included)."""
        seconds = max(seconds, 0.0)
        if self.wakeup_r < 0:
            import time

            time.sleep(seconds)
            return
        if self.poller is not None:
            readable = bool(self.poller.poll(seconds * 1000.0))
        else:
            readable = bool(select.select([self.wakeup_r], [], [], seconds)[0])
        if readable:
            try:
                while os.read(self.wakeup_r, 256):
                    pass
            except BlockingIOError:
                pass

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

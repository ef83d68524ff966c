"""The command's stderr through exitkit, for outcomes read from what a tool says.

Only when ``--ok`` or ``--retry-on`` names an outcome of the contract (``[[outcome]]``) does the
command get anything but exitkit's own stderr: then its fd 2 is a pipe — or, when exitkit's
stderr is a terminal, a pseudo-terminal of its own, so that the tool keeps its colours, progress
and width — and exitkit relays every byte to its own fd 2 as it arrives, while a
:class:`~exitkit.contracts.classify.Lines` reads the same bytes line by line. stdout and stdin
stay the command's own.

The relay never blocks the wait loop: the read end is non-blocking, and exitkit's fd 2 (whose
blocking mode is shared with the calling shell, so it is never changed) is written only as far
as ``poll`` says it can take without blocking. While it cannot, nothing more is read, so the
command meets the same back-pressure as without exitkit, a paused terminal holds it up the same
way, and timeouts and signals are still acted on. Memory stays bounded: one read's bytes waiting
to be written, a line for the classifier and a small tail. When exitkit's fd 2 is closed or
broken, bytes are read and dropped, so the command never dies of SIGPIPE because of exitkit.
"""

from __future__ import annotations

import os
import select
import stat
import sys
import time

from exitkit.errors import relayed_stderr

TYPE_CHECKING = False
if TYPE_CHECKING:
    import signal

    from exitkit.contracts.classify import Lines
    from exitkit.run.relay import SignalRelay
else:
    try:
        import _signal as signal  # the C module behind `signal`, without its enum import
    except ImportError:  # not CPython
        import signal

#: One read from the command's stderr.
READ_SIZE = 65536
#: Reads per wake-up of the wait loop: a command flooding stderr faster than the lines are
#: classified must not keep the loop from its deadline and its signals.
_READS_PER_PUMP = 16
#: One write to a pipe or a terminal after poll said it can take more: a pipe with room for a
#: write at all has room for PIPE_BUF bytes, written without blocking.
_WRITE_SIZE = 4096
#: How long stderr may stay open after the command ended (a background process of its holding
#: it): its last bytes are read until then.
DRAIN_SECONDS = 0.2


class Capture:
    """The pipe (or pty) that is the command's fd 2, and the relay of its bytes to ours."""

    __slots__ = ("backlog", "child_fd", "lines", "own_sink", "pty", "sink", "sink_ok",
                 "sink_whole", "size", "source", "total")

    def __init__(self, lines: Lines, sink: int = 2, *, pty: bool | None = None) -> None:
        self.lines = lines
        #: Where the bytes go: exitkit's own stderr.
        self.sink = sink
        #: Use a pseudo-terminal: by default exactly when exitkit's stderr is a terminal.
        self.pty = _isatty(sink) if pty is None else pty
        self.source = -1
        self.child_fd = -1
        self.backlog = b""
        #: The sink still takes bytes (False after EPIPE, EBADF, EIO: then they are dropped).
        self.sink_ok = True
        #: A regular file or a device like /dev/null takes any write without waiting on a reader.
        self.sink_whole = _takes_whole_writes(sink)
        #: Our own non-blocking open of the terminal that is our stderr, or -1 (see open()).
        self.own_sink = -1
        #: The terminal size last copied to the pty.
        self.size: bytes | None = None
        #: Bytes relayed.
        self.total = 0

    def open(self) -> int:
        """Make the pipe or pty; return the fd that becomes the command's fd 2."""
        from exitkit.run.relay import above_std, pipe

        if self.pty:
            try:
                master, slave = above_std(os.openpty())
            except OSError:
                self.pty = False
            else:
                _raw_output(slave)
                self.source, self.child_fd = master, slave
                self.resize()
        if not self.pty:
            self.source, self.child_fd = pipe()
        os.set_blocking(self.source, False)
        self.own_sink = _own_terminal(self.sink)
        return self.child_fd

    def started(self) -> None:
        """The command has its copy: ours goes, so that stderr ends when the command's does."""
        if self.child_fd >= 0:
            os.close(self.child_fd)
            self.child_fd = -1

    def watch(self) -> list[tuple[int, int]]:
        """What to wait for: room on our stderr while bytes wait for it, else bytes to read."""
        if self.backlog:
            return [(self.own_sink if self.own_sink >= 0 else self.sink, select.POLLOUT)]
        if self.source >= 0:
            return [(self.source, select.POLLIN)]
        return []

    def pump(self, reads: int = _READS_PER_PUMP) -> int:
        """Move what can move now without blocking, reading at most *reads* times: write what
        waits, then read and write on. Returns the bytes read."""
        got = 0
        for _ in range(reads):
            self.flush()
            if self.backlog or self.source < 0:
                break
            data = self._read()
            if not data:
                break
            self.lines.feed(data)
            relayed_stderr(data)
            self.total += len(data)
            got += len(data)
            self.backlog = data
        self.flush()
        return got

    def _read(self) -> bytes:
        try:
            data = os.read(self.source, READ_SIZE)
        except BlockingIOError:
            return b""
        except OSError:  # EIO: the pty's other side is closed everywhere (Linux's EOF for ptys)
            data = b""
        if not data:
            self._close_source()
        return data

    def flush(self) -> None:
        """Write what waits, as far as our stderr takes it now."""
        while self.backlog:
            if not self.sink_ok:
                self.backlog = b""
                return
            try:
                if self.own_sink >= 0:  # a terminal, opened non-blocking for ourselves
                    written = _write_terminal(self.own_sink, self.backlog)
                elif self.sink_whole:
                    written = os.write(self.sink, self.backlog)
                elif _writable(self.sink):
                    written = os.write(self.sink, self.backlog[:_WRITE_SIZE])
                else:
                    return
            except BlockingIOError:  # full (our terminal fd), or O_NONBLOCK set by someone else
                return
            except OSError:  # EPIPE (reader gone), EBADF (closed), EIO: drop from now on
                self.sink_ok = False
                continue
            self.backlog = self.backlog[written:]

    def finish(self, relay: SignalRelay | None = None, drain: float = DRAIN_SECONDS) -> None:
        """The command ended: relay every byte it left in the pipe, then what arrives within
        *drain* seconds while the pipe is still open (a process it left behind may hold it), and
        tell the classifier stderr ended.

        What the command left is never dropped: writing it waits for our stderr as long as that
        takes (a pager being read, a slow log). A stop signal that reaches exitkit meanwhile
        (*relay*) ends the wait and drops the rest, as Ctrl-C would have ended the command
        blocked in its write without exitkit; so does the end of the grace a run gets once its
        time is up or it was told to stop (:meth:`~exitkit.run.relay.SignalRelay.time_is_up`).
        What a leftover process writes after the command ended gets *drain* seconds, however
        fast it writes."""
        owed = (_pending_bytes(self.source) or 0) if self.source >= 0 else 0
        end = time.monotonic() + drain
        while self.source >= 0 or self.backlog:
            if relay is not None:
                if relay.stop_writing():
                    break
                relay.suspend_if_asked()  # Ctrl-Z while our stderr is full: the job stops
            if self.backlog and self.sink_ok:  # our stderr is full: wait for room
                if relay is not None:
                    relay.wait_for_room(self.watch())
                else:
                    _wait_writable(self.watch()[0][0])
                self.flush()
                continue
            if self.source < 0 or (owed <= 0 and time.monotonic() >= end):
                break
            got = self.pump(reads=1)
            owed -= got
            if got or self.source < 0 or self.backlog:
                continue
            left = end - time.monotonic()
            if left <= 0:
                break
            if relay is not None:  # the pipe is empty but open: wait a little for more
                relay.sleep(left, self.watch())
            else:
                _poll(self.watch(), left)
        self.backlog = b""
        self._close_source()
        self.lines.close()

    def close(self) -> None:
        """Let go of every fd (the command could not start, something failed, or it is over)."""
        self._close_source()
        if self.own_sink >= 0:
            os.close(self.own_sink)
            self.own_sink = -1
        if self.child_fd >= 0:
            os.close(self.child_fd)
            self.child_fd = -1

    def _close_source(self) -> None:
        if self.source >= 0:
            os.close(self.source)
            self.source = -1

    def resize(self) -> bool:
        """Give the pty our terminal's size when it changed: True when it did since the command
        started, and the command should hear SIGWINCH again (exitkit does not hear the
        terminal's while the command holds the foreground, so it looks at each wake-up)."""
        size = _window_size(self.sink)
        if size is None or size == self.size or self.source < 0:
            return False
        changed = self.size is not None
        self.size = size
        try:
            import fcntl
            import termios

            fcntl.ioctl(self.source, termios.TIOCSWINSZ, size)
        except (OSError, ImportError, AttributeError):
            return False
        return changed


def _isatty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False


def _takes_whole_writes(fd: int) -> bool:
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return True  # closed: the first write says EBADF, and bytes are dropped from then on
    return stat.S_ISREG(mode) or (stat.S_ISCHR(mode) and not _isatty(fd))


def _own_terminal(fd: int) -> int:
    """A non-blocking fd of our own for the terminal *fd* is, or -1 (not a terminal, or it
    cannot be opened). A terminal takes a write of any size once poll says it has room at all,
    and then blocks until it is all written; O_NONBLOCK cannot be set on the fd we inherited,
    whose open file description the calling shell shares, so we write through our own."""
    if not _isatty(fd):
        return -1
    try:
        path = os.ttyname(fd)
        own = os.open(path, os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError:
        return -1
    if own <= 2:  # exitkit started with stdin or stdout closed: keep off the standard fds
        import fcntl

        high = fcntl.fcntl(own, fcntl.F_DUPFD_CLOEXEC, 3)
        os.close(own)
        own = high
    return own


def _write_terminal(fd: int, data: bytes) -> int:
    """Write to our terminal fd with SIGTTOU blocked: exitkit writes while the command holds the
    terminal's foreground, and with ``stty tostop`` the kernel would otherwise stop (or, with the
    signal caught, refuse) the write of a background process; the command itself, in the
    foreground, would have been allowed it."""
    ttou = int(getattr(signal, "SIGTTOU", 0))
    if not ttou:
        return os.write(fd, data)
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {ttou})
    try:
        return os.write(fd, data)
    finally:
        if ttou not in previous:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {ttou})


def _pending_bytes(fd: int) -> int | None:
    """Bytes waiting to be read from the pipe or pty *fd* (FIONREAD), or None when unknown."""
    try:
        import fcntl
        import termios

        raw = fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0")
    except (OSError, ImportError, AttributeError):
        return None
    return int.from_bytes(raw, sys.byteorder)


def _writable(fd: int) -> bool:
    return bool(_poll([(fd, select.POLLOUT)], 0))


def _wait_writable(fd: int) -> None:
    _poll([(fd, select.POLLOUT)], None)


def _poll(fds: list[tuple[int, int]], seconds: float | None) -> list[tuple[int, int]]:
    poller = select.poll()
    for fd, events in fds:
        poller.register(fd, events)
    return poller.poll(None if seconds is None else seconds * 1000.0)


def _raw_output(fd: int) -> None:
    """No output processing on the pty (``\\n`` stays ``\\n``): the bytes arrive as written."""
    try:
        import termios
    except ImportError:
        return
    try:
        modes = termios.tcgetattr(fd)
        modes[1] &= ~termios.OPOST
        termios.tcsetattr(fd, termios.TCSANOW, modes)
    except (OSError, termios.error):
        return


def _window_size(fd: int) -> bytes | None:
    try:
        import fcntl
        import termios

        return fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8)
    except (OSError, ImportError, AttributeError):
        return None

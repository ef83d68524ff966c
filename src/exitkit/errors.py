"""exitkit's own failures and how they reach the user.

Every user mistake becomes an :class:`ExitkitError` naming one exit of exitkit's own contract
(``src/exitkit/contracts/builtin/exitkit.toml``); :func:`report` prints it as one ``exitkit: …``
line (plus a hint) or one JSON object, and returns the exit status. The statuses themselves are the
generated constants of :mod:`exitkit._status`; no bare exit numbers elsewhere in the code.
"""

from __future__ import annotations

import sys

from exitkit._status import BY_NAME

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TextIO


def status(name: str) -> int:
    """The exit status exitkit uses for *name*, from exitkit's own built-in contract."""
    return BY_NAME[name][0]


def kind_of(name: str) -> str:
    """The kind of exitkit's own exit *name*."""
    return BY_NAME[name][1]


class ExitkitError(Exception):
    """A failure to report to the user: which exit of exitkit's contract, what, and what to try."""

    def __init__(self, exit: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.exit = exit
        self.message = message
        self.hint = hint

    @property
    def status(self) -> int:
        return status(self.exit)

    def to_dict(self) -> dict[str, object]:
        return {
            "error": {
                "code": self.exit,
                "status": self.status,
                "kind": kind_of(self.exit),
                "message": self.message,
                "hint": self.hint,
            }
        }


def report(err: ExitkitError, *, as_json: bool = False, stream: TextIO | None = None) -> int:
    """Print *err* on stderr (one line, a hint line, or one JSON object); return its exit status,
    whatever happens to stderr (closed, full, a broken pipe)."""
    from exitkit.text import escape

    if as_json:
        import json

        text = json.dumps(err.to_dict(), ensure_ascii=False) + "\n"
    else:
        text = f"exitkit: {escape(err.message)}\n"
        if err.hint:
            text += f"exitkit: hint: {escape(err.hint)}\n"
    write_stderr(text, stream)
    return err.status


def one_line(text: str) -> str:
    """Keep a message on one line even when it quotes hostile text."""
    from exitkit.text import escape

    return escape(text)


def write_stdout(text: str, *, utf8: bool = False) -> None:
    """Write exitkit's output; a closed stdout is an OSError like any other failure to write.

    With *utf8*, the bytes are UTF-8 whatever the locale (a script's own undecodable bytes
    included, as read): for what a program reads — generated shell code, completion scripts,
    JSON, TOML, a diff — which must be the same bytes everywhere. Text for people follows the
    locale, and a character it cannot show comes out as a ``\\u…`` escape, never as a
    failure."""
    stream = sys.stdout
    if stream is None:
        import errno

        raise OSError(errno.EBADF, "Bad file descriptor")
    buffer = getattr(stream, "buffer", None)
    if utf8 and buffer is not None:
        stream.flush()
        buffer.write(text.encode("utf-8", "surrogateescape"))
        buffer.flush()
        return
    try:
        stream.write(text)
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "ascii"
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding))


#: Set by :func:`guard_workflow_commands`.
_GUARDED = False


def guard_workflow_commands() -> None:
    """From now on, in a GitHub job: no text exitkit writes to stderr may form one of the runner's
    legacy ``##[command]`` markers, whatever the command's arguments or a contract hold (each
    message is already one line: see :func:`exitkit.text.escape`)."""
    global _GUARDED
    _GUARDED = True


#: The last byte of the command's stderr that ``exitkit run`` relayed (see
#: :func:`relayed_stderr`), while no line of exitkit's own has followed it.
_RELAYED_LAST = b""


def relayed_stderr(data: bytes) -> None:
    """``exitkit run`` relayed *data* from the command's stderr to its own (run/capture.py)."""
    global _RELAYED_LAST
    if data:
        _RELAYED_LAST = data[-1:]


def _mid_line(out: TextIO) -> bool:
    """Whether stderr stands in the middle of a line the command left without a line end, as far
    as exitkit can tell: from the bytes it relayed itself, or from the last byte of a regular
    file it inherited (Linux; a pipe or a terminal cannot tell)."""
    global _RELAYED_LAST
    if _RELAYED_LAST:
        last, _RELAYED_LAST = _RELAYED_LAST, b""
        return last != b"\n"
    import os
    import stat

    try:
        fd = out.fileno()
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size == 0:
            return False
        reader = os.open(f"/proc/self/fd/{fd}", os.O_RDONLY | os.O_CLOEXEC)
    except (AttributeError, OSError, ValueError):
        return False
    try:
        return os.pread(reader, 1, info.st_size - 1) not in (b"\n", b"")
    except OSError:
        return False
    finally:
        os.close(reader)


#: Set by ``exitkit run`` (see :func:`interrupt_stderr_writes`): a way to write to fd 2 that a
#: stop signal can end.
_INTERRUPTIBLE: Callable[[int, bytes], None] | None = None


def interrupt_stderr_writes(writer: Callable[[int, bytes], None] | None) -> None:
    """From now on exitkit's own lines go to stderr through *writer* (fd, bytes), which gives up
    when a stop signal arrives while stderr is full: a stalled reader must not keep exitkit
    alive after INT or TERM."""
    global _INTERRUPTIBLE
    _INTERRUPTIBLE = writer


def write_stderr(text: str, stream: TextIO | None = None) -> None:
    """Write one of exitkit's own lines; a closed, full or broken stderr must never change the
    status the caller gets. A line the command left unfinished is ended first, so that exitkit's
    line starts a line of its own."""
    out = stream if stream is not None else sys.stderr
    if out is None:
        return
    if _GUARDED:
        from exitkit.text import neutralize

        text = neutralize(text)
    try:
        out.flush()
        if _mid_line(out):
            text = "\n" + text
        if _INTERRUPTIBLE is not None and stream is None:
            fd = out.fileno()
            encoding = getattr(out, "encoding", None) or "utf-8"
            _INTERRUPTIBLE(fd, text.encode(encoding, "backslashreplace"))
            return
        out.write(text)
        out.flush()
    except (OSError, ValueError):
        pass

"""``--report FILE``: the whole story of a run as one JSON object.

A regular file (or a new one) is written atomically: the object goes to a temporary file in the
same directory, which then replaces FILE, so a reader never sees half a report. A symlink is
followed: the file it points to is replaced, the link stays. A FIFO, a terminal or another special
file is written directly, without blocking: a FIFO with no reader gets a warning, never a hang after
the command has ended. ``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N`` and ``/proc/self/fd/N``
name exitkit's own descriptors: the report is written to the descriptor, after what is already
there, as a shell's ``>/dev/stdout`` would (opening the file anew would truncate it, and replacing
the link would replace ``/dev/stdout`` itself).
"""

from __future__ import annotations

import os

from exitkit.run.report import Reporter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from exitkit.errors import ExitkitError
    from exitkit.run.report import StderrSink
    from exitkit.run.report.stderr import StderrReporter
    from exitkit.run.result import RunResult


class JsonReporter(Reporter):
    """Writes :meth:`RunResult.to_dict` to *path*; a failure to write is a warning on stderr."""

    def __init__(self, path: str, stderr: StderrSink | StderrReporter) -> None:
        self.path = path
        self.stderr = stderr

    def finished(self, result: RunResult) -> None:
        self.write(result.to_dict())

    def write(self, report: dict[str, object]) -> None:
        import json

        text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
        # `--report /dev/stdout` in a GitHub job: the runner reads `##[` anywhere in its log as a
        # workflow command. Only a JSON string can hold one, and `#\u0023[` decodes the same.
        data = text.replace("##[", "#\\u0023[").encode()
        try:
            fd = own_descriptor(self.path)
            if fd is not None:
                _write_all(fd, data)
                return
            target = os.path.realpath(self.path)  # through symlinks: the link itself stays
            if _is_special(target):
                _write_special(target, data)
            else:
                _write_atomically(target, data)
        except OSError as exc:
            self.stderr.say(f"cannot write --report {self.path}: {exc.strerror or exc}")


def write_error_report(path: str, err: ExitkitError, argv: list[str]) -> None:
    """The report of a run exitkit could not make (125): the same keys as any report, with
    ``outcome`` "error" and ``error`` saying why."""
    from exitkit.errors import kind_of
    from exitkit.run.report.stderr import StderrReporter
    from exitkit.run.result import printable
    from exitkit.text import escape

    JsonReporter(path, StderrReporter()).write({
        "argv": [printable(arg) for arg in argv], "contract": None,
        "exit_code": err.status, "raw_exit_code": None, "name": err.exit,
        "kind": kind_of(err.exit), "meaning": None, "recovery": None, "signal": None,
        "timed_out": False, "cause": None, "cancelled": False, "attempts": 0, "duration": 0.0,
        "outcome": "error", "error": escape(err.message), "stderr_line": None,
        "stderr_line_refused": False, "stderr_tail": None})


def own_descriptor(path: str) -> int | None:
    """The descriptor of exitkit's own that *path* names (``/dev/stdout``, ``/dev/fd/2``,
    ``/proc/self/fd/1``), or None."""
    named = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}.get(path)
    if named is not None:
        return named
    for prefix in ("/dev/fd/", "/proc/self/fd/"):
        number = path[len(prefix):]
        if path.startswith(prefix) and number.isascii() and number.isdigit():
            return int(number)
    return None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _is_special(path: str) -> bool:
    import stat

    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        return False


def _write_special(path: str, data: bytes) -> None:
    """A FIFO or device: open without blocking (ENXIO for a FIFO nobody reads), then write."""
    fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY)
    try:
        os.set_blocking(fd, True)
        _write_all(fd, data)
    finally:
        os.close(fd)


def _write_atomically(path: str, data: bytes) -> None:
    """Write a temporary file beside *path* (same file system, so the rename is atomic), then
    rename it over *path*."""
    directory, name = os.path.split(path)
    temporary = os.path.join(directory, f".{name}.{os.getpid()}.exitkit-tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
    try:
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except BaseException:
        _unlink_quietly(temporary)
        raise


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        return

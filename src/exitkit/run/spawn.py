"""Starting the command: find it as ``execvp`` would, start it in a process group of its own.

The command starts with the signal dispositions and mask exitkit itself started with — nothing
that Python or exitkit changed for themselves leaks into it — except the timeout signal, which is
always at its default so that a timeout works even when the caller ignored that signal (as GNU
``timeout`` does). On Linux it also gets a parent-death signal (the timeout signal): if exitkit is
killed outright (``kill -9``, the OOM killer), the command is told to stop instead of running on
as an orphan. ``posix_spawn`` cannot set that, so on Linux the command is started with fork and
exec; elsewhere, or from a process with threads, with ``posix_spawn``.

On ``exitkit run``'s start-up path: no ``subprocess``, no ``errno`` until something fails,
``ctypes`` only on Linux, when needed.
"""

from __future__ import annotations

import os
import stat
import sys

from exitkit._status import COMMAND_NOT_FOUND, NOT_EXECUTABLE

TYPE_CHECKING = False
if TYPE_CHECKING:
    import signal
    from collections.abc import Callable, Iterable, Mapping, Sequence
else:
    try:
        import _signal as signal  # the C module behind `signal`, without its enum import
    except ImportError:  # not CPython
        import signal

#: What a file without a ``#!`` line runs with, as ``execvp`` and bash do.
SHELL = "/bin/sh"
#: Linux's prctl option that sets the parent-death signal (linux/prctl.h).
_PR_SET_PDEATHSIG = 1


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


def find_command(name: str, env: Mapping[str, str] | None = None) -> str:
    """Return the file ``execvp`` would run for *name*, searching ``$PATH`` (from *env*).

    Raises :class:`SpawnError`: ``command-not-found`` when there is no such file,
    ``not-executable`` when the only matches cannot be run (no permission, a directory) — a
    later ``PATH`` entry with an executable wins over an earlier one that cannot run.
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
            if not stat.S_ISDIR(mode) and os.access(candidate, os.X_OK):
                return candidate
            if denied is None:  # execvp: EACCES (a directory, no x bit) unless something runs
                denied = candidate
        if denied is not None:
            raise SpawnError("not-executable", f"{denied}: Permission denied")
    raise SpawnError("command-not-found", f"{name}: command not found")


class Start:
    """How the command starts: its signal dispositions, mask and parent-death signal, and the
    fd that becomes its stderr."""

    __slots__ = ("default", "mask", "pdeathsig", "stderr")

    def __init__(self, default: Iterable[int] = (), mask: Iterable[int] = (),
                 pdeathsig: int | None = None, stderr: int | None = None) -> None:
        #: Signals set back to their default action in the command.
        self.default = frozenset(default)
        #: The command's signal mask (blocked signals).
        self.mask = frozenset(mask)
        #: Sent to the command when exitkit dies (Linux), or None.
        self.pdeathsig = pdeathsig
        #: An fd of ours that becomes the command's fd 2 (a capture pipe), or None: it inherits
        #: exitkit's.
        self.stderr = stderr


def spawn(path: str, argv: Sequence[str], env: Mapping[str, str], start: Start | None = None,
          ) -> int:
    """Start *path* with *argv* and *env* in a new process group; return its pid.

    A file the kernel cannot execute (no ``#!`` line) runs with ``/bin/sh``, as ``execvp`` does.
    Raises :class:`SpawnError` when exec fails: 127 for a ``#!`` interpreter that does not exist
    (as bash and GNU ``timeout`` answer), 126 for anything else.
    """
    start = start if start is not None else Start()
    try:
        if start.pdeathsig is not None and _prctl() is not None and _single_threaded():
            return _fork_exec(path, argv, env, start)
        return _posix_spawn(path, argv, env, start)
    except OSError as exc:
        raise _spawn_error(path, exc) from None


def _posix_spawn(path: str, argv: Sequence[str], env: Mapping[str, str], start: Start) -> int:
    default = sorted(start.default & signal.valid_signals())
    mask = sorted(start.mask)
    actions = [] if start.stderr is None else [(os.POSIX_SPAWN_DUP2, start.stderr, 2)]
    try:
        return os.posix_spawn(path, list(argv), env, setpgroup=0, setsigdef=default,
                              setsigmask=mask, file_actions=actions)
    except OSError as exc:
        if not _shell_script(path, exc):
            raise
    return os.posix_spawn(SHELL, [SHELL, path, *argv[1:]], env, setpgroup=0,
                          setsigdef=default, setsigmask=mask, file_actions=actions)


def _fork_exec(path: str, argv: Sequence[str], env: Mapping[str, str], start: Start) -> int:
    """fork, then in the child: own process group, dispositions, mask, parent-death signal,
    exec. An exec failure travels back as its errno through a close-on-exec pipe."""
    prctl = _prctl()
    assert prctl is not None and start.pdeathsig is not None
    parent = os.getpid()
    report_r, report_w = os.pipe()  # close-on-exec: EOF tells the parent that exec worked
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child, checked by what the tests' children see
        code = 0
        try:
            os.close(report_r)
            os.setpgid(0, 0)
            for signum in start.default:
                signal.signal(signum, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_SETMASK, start.mask)
            if start.stderr is not None:
                os.dup2(start.stderr, 2)
            prctl(_PR_SET_PDEATHSIG, start.pdeathsig)
            if os.getppid() != parent:  # exitkit died before the line above: act on it now
                os.kill(os.getpid(), start.pdeathsig)
            try:
                os.execve(path, list(argv), env)
            except OSError as exc:
                if not _shell_script(path, exc):
                    raise
            os.execve(SHELL, [SHELL, path, *argv[1:]], env)
        except BaseException as exc:
            import errno  # here, not at the top: a command that starts never needs it

            code = (exc.errno if isinstance(exc, OSError) else None) or errno.EINVAL
        try:
            os.write(report_w, code.to_bytes(4, "little"))
        finally:
            os._exit(NOT_EXECUTABLE)
    os.close(report_w)
    try:
        data = b""
        while chunk := _read(report_r):
            data += chunk
    finally:
        os.close(report_r)
    if data:
        _reap(pid)
        code = int.from_bytes(data[:4].ljust(4, b"\0"), "little")
        raise OSError(code, os.strerror(code))
    return pid


def _read(fd: int) -> bytes:
    while True:
        try:
            return os.read(fd, 64)
        except InterruptedError:  # pragma: no cover - PEP 475 retries; kept for safety
            continue


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        return


def _single_threaded() -> bool:
    """fork() is safe only in a process with one thread (the CLI is one; a library caller may not
    be)."""
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


_PRCTL: list[Callable[..., int] | None] = []


def _prctl() -> Callable[..., int] | None:
    """libc's prctl on Linux, else None (macOS and the BSDs have no parent-death signal)."""
    if not _PRCTL:
        found: Callable[..., int] | None = None
        if sys.platform.startswith("linux"):
            try:
                found = _libc_int_function("prctl")
            except Exception:  # _ctypes is CPython's own: ctypes itself is the fallback
                try:
                    import ctypes

                    found = ctypes.CDLL(None, use_errno=True).prctl
                except (ImportError, OSError, AttributeError):
                    found = None
        _PRCTL.append(found)
    return _PRCTL[0]


def _libc_int_function(name: str) -> Callable[..., int]:
    """The C function *name* of the running process's libraries, returning int, with errno
    kept (as ``ctypes.CDLL(None, use_errno=True).name``), built from ``_ctypes`` alone: the
    ``ctypes`` package imports ``types`` and ``struct`` and costs more than a tenth of
    ``exitkit run``'s start-up (`make bench`)."""
    from _ctypes import FUNCFLAG_CDECL, FUNCFLAG_USE_ERRNO, CFuncPtr, dlopen

    class Function(CFuncPtr):  # no _restype_: a foreign function returns a C int by default
        _flags_ = FUNCFLAG_CDECL | FUNCFLAG_USE_ERRNO

    class Library:
        _handle = dlopen(None)  # type: ignore[arg-type]  # NULL: the process's own libraries

    function: Callable[..., int] = Function((name, Library()))  # type: ignore[arg-type]
    return function


def _shell_script(path: str, exc: OSError) -> bool:
    """Whether exec refused *path* (*exc*) as a script without ``#!``, which then runs with
    :data:`SHELL`, as ``execvp`` and bash run it."""
    import errno  # here, not at the top: a command that starts never needs it

    return exc.errno == errno.ENOEXEC and not _looks_binary(path)


def _looks_binary(path: str) -> bool:
    """What bash checks before running a file without ``#!`` as a script: a NUL byte before the
    first newline of its first 80 bytes means a program for another machine, not a script."""
    try:
        with open(path, "rb") as file:
            sample = file.read(80)
    except OSError:
        return False
    return b"\0" in sample.split(b"\n", 1)[0]


def _spawn_error(path: str, exc: OSError) -> SpawnError:
    """Explain why exec failed on a file that exists (find_command checked that), like bash."""
    import errno

    if exc.errno in (errno.ENOENT, errno.ENOTDIR) and not os.path.exists(path):
        return SpawnError("command-not-found", f"{path}: No such file or directory")
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        interpreter = _interpreter(path)
        if interpreter:  # ENOENT for a file that exists: its #! interpreter is missing
            return SpawnError(
                "command-not-found", f"{path}: {interpreter}: bad interpreter: {exc.strerror}"
            )
    if exc.errno == errno.ENOEXEC:
        return SpawnError("not-executable", f"{path}: cannot execute binary file: {exc.strerror}")
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

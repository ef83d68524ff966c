"""Starting the command: find it as a shell would, spawn it in a process group of its own.

On ``exitkit run``'s start-up path: no ``subprocess``, nothing beyond ``os`` and ``stat``.
"""

from __future__ import annotations

import os
import stat

from exitkit._status import COMMAND_NOT_FOUND, NOT_EXECUTABLE

TYPE_CHECKING = False
if TYPE_CHECKING:
    import signal
    from collections.abc import Mapping, Sequence
else:
    try:
        import _signal as signal  # the C module behind `signal`, without its enum import
    except ImportError:  # not CPython
        import signal

#: Python ignores these at start-up; a child must get them back at their defaults (subprocess's
#: restore_signals does the same).
RESET_IN_CHILD: tuple[int, ...] = tuple(
    getattr(signal, name) for name in ("SIGPIPE", "SIGXFSZ", "SIGXFZ") if hasattr(signal, name)
)


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


def spawn(path: str, argv: Sequence[str], env: Mapping[str, str]) -> int:
    """Start *path* with *argv* and *env* in a new process group, the signals Python ignores back
    at their defaults; return its pid. Raises :class:`SpawnError` if exec fails."""
    try:
        return os.posix_spawn(path, list(argv), env, setpgroup=0, setsigdef=RESET_IN_CHILD)
    except OSError as exc:
        raise _spawn_error(path, exc) from None


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

"""``exitkit shell``: sourceable code for the calling shell, detected or named.

This runs in every new shell that does ``eval "$(exitkit shell …)"``: it imports the renderers and
the contracts it needs, and nothing else.
"""

from __future__ import annotations

import os

from exitkit.errors import ExitkitError
from exitkit.text import quoted

TYPE_CHECKING = False
if TYPE_CHECKING:
    from exitkit.contracts.model import Contract

#: POSIX shells that run the ``sh`` code (and are tested with it): named or detected, they get it.
POSIX_SHELLS = frozenset({"sh", "dash", "ash", "busybox", "ksh", "ksh93", "mksh", "lksh",
                          "pdksh", "oksh", "yash", "posh"})
#: Shells people may name or run that exitkit has no code for.
UNSUPPORTED_SHELLS = frozenset({"powershell", "pwsh", "csh", "tcsh", "nu", "nushell", "xonsh",
                                "elvish", "ion", "cmd", "rc", "es", "murex"})


def shell_names() -> tuple[str, ...]:
    from exitkit.shells import SHELLS

    return tuple(SHELLS)


def supported() -> str:
    return (", ".join(shell_names()) + " (sh also for dash, ash, busybox, ksh, mksh, yash and "
            "posh)")


def canonical(word: str) -> str | None:
    """The code a shell called *word* gets (``dash`` → ``sh``), or None if it is no shell exitkit
    knows. Raises :class:`ExitkitError` (usage) for a shell exitkit has no code for."""
    if word in shell_names():
        return word
    if word in POSIX_SHELLS:
        return "sh"
    if word in UNSUPPORTED_SHELLS:
        raise ExitkitError("usage", f"unsupported shell {quoted(word)}: exitkit generates code for "
                           f"{supported()}", hint="exitkit shell bash CONTRACT…")
    return None


def detect_shell() -> str:
    """The calling shell if exitkit supports it: the nearest process above exitkit that is a
    shell exitkit knows (the one whose ``$(…)`` runs it, past a ``sudo`` or ``make`` in
    between; on Linux from ``/proc``, elsewhere the parent as ``ps`` names it), then the one
    shellingham finds, then ``$SHELL`` (the login shell, which may not be the caller: a note
    on stderr says so).

    exitkit's own look comes first because shellingham knows only some shells: it walks past
    mksh, yash, posh, ksh93 or busybox's ash to the next shell it knows above them, usually
    the user's login shell, whose code would not run where it is evaluated."""
    for name in ancestor_names():
        found = _supported(name)
        if found is not None:
            return found
    try:
        import shellingham  # type: ignore[import-untyped]  # ships no type information

        name = str(shellingham.detect_shell()[0])
    except Exception:  # shellingham raises its own ShellDetectionFailure, or OSError on odd systems
        name = ""
    found = _supported(name)
    if found is not None:
        return found
    login = os.path.basename(os.environ.get("SHELL", ""))
    found = _supported(login)
    if found is not None:
        from exitkit.errors import write_stderr

        write_stderr(f"exitkit: cannot tell which shell runs this; assuming {found} from $SHELL "
                     f"(name it: exitkit shell {found} …)\n")
        return found
    raise ExitkitError(
        "usage",
        "cannot tell which shell to generate code for"
        + (f" (detected {quoted(name)}, not supported)" if name else ""),
        hint="name one: exitkit shell {" + ",".join(shell_names()) + "} [CONTRACT…]",
    )


def _supported(name: str) -> str | None:
    try:
        return canonical(name) if name else None
    except ExitkitError:
        return None


#: Where Linux describes processes; elsewhere ``ps`` is asked.
PROC = "/proc"


def ancestor_names(limit: int = 8) -> list[str]:
    """The names of the processes above exitkit, nearest first (see :func:`parent_name`): the
    parent alone where there is no ``/proc`` to walk."""
    names: list[str] = []
    pid = os.getppid()
    while pid > 1 and len(names) < limit:
        name, parent = _proc_entry(pid)
        if parent is None:
            break
        names.append(name)
        pid = parent
    return names or [parent_name()]


def _proc_entry(pid: int) -> tuple[str, int | None]:
    """The name (``argv[0]``'s basename) and parent pid of *pid* from ``/proc``, or
    ``("", None)``."""
    try:
        with open(f"{PROC}/{pid}/stat", "rb") as fh:
            stat = fh.read()
        with open(f"{PROC}/{pid}/cmdline", "rb") as fh:
            first = fh.read(4096).split(b"\0", 1)[0]
        parent = int(stat[stat.rindex(b")") + 2:].split()[1])
    except (OSError, ValueError, IndexError):
        return "", None
    return os.path.basename(os.fsdecode(first)).lstrip("-"), parent


def parent_name() -> str:
    """The name of the program that started exitkit: on Linux the basename of its ``argv[0]``
    (``/proc/PPID/cmdline``: a script's interpreter, where the kernel's short name would be
    the script's), elsewhere ``ps -o comm=`` (which needs no terminal, unlike the process list
    shellingham reads on macOS and the BSDs). A login shell's leading ``-`` is dropped; "" when
    there is no telling."""
    ppid = os.getppid()
    name, parent = _proc_entry(ppid)
    if parent is not None:
        return name
    import subprocess

    try:
        done = subprocess.run(["ps", "-o", "comm=", "-p", str(ppid)],
                              capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    words = done.stdout.split()
    return os.path.basename(words[0]).lstrip("-") if done.returncode == 0 and words else ""


def generate(
    words: list[str], *, export: bool = False, prefix: str | None = None
) -> str:
    """The code for ``exitkit shell [SHELL] [CONTRACT…]``: everything loaded before anything is
    rendered, so a missing contract prints nothing at all."""
    from exitkit.contracts.loader import load
    from exitkit.shells import render

    shell = canonical(words[0]) if words else None
    names = words[1:] if shell is not None else list(words)
    if shell is None:
        shell = detect_shell()
    if not names:
        names = ["shell"]
    if prefix is not None and len(names) > 1:
        raise ExitkitError("usage", "--prefix applies to one contract; several were given")
    contracts: list[Contract] = [load(name) for name in names]
    try:
        return render(shell, contracts, export=export, prefix=prefix)
    except ValueError as exc:
        raise ExitkitError("usage", str(exc)) from None


def print_failing_code(words: list[str]) -> None:
    """What ``exitkit shell WORDS…`` prints on stdout when it fails: one command that fails in the
    shell the code was for, so that ``eval "$(exitkit shell …)"`` fails (and stops a ``set -e``
    script) instead of succeeding with nothing defined. The error itself goes to stderr."""
    from exitkit.errors import write_stdout
    from exitkit.shells import SHELLS

    try:
        shell = (canonical(words[0]) if words else None) or detect_shell()
        code = SHELLS[shell].fails
    except ExitkitError:
        code = "false"
    import contextlib  # here, not at the top: it costs `exitkit shell` 3 ms of start-up

    with contextlib.suppress(OSError):  # nobody reads it: the message and the status still tell
        write_stdout(code + "\n")

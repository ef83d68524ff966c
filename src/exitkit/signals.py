"""Signal names and numbers, always from the running platform (USR1 is 10 on Linux, 30 on macOS).

Built from the interpreter's ``_signal`` constants rather than ``signal.Signals``: the ``signal``
module imports ``enum`` (milliseconds), and this module is on ``exitkit run``'s start-up path.
Names are chosen as ``signal.Signals`` chooses them, so the two always agree.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import signal as _sig
else:
    try:
        import _signal as _sig
    except ImportError:  # not CPython: the public module has the same constants
        import signal as _sig

#: A shell reads the status of a process killed by signal N as this plus N (bash(1), POSIX).
STATUS_BASE = 128


def death_status(signum: int) -> int:
    """The status a shell reads for a process killed by *signum*: 128+N."""
    return STATUS_BASE + signum


def signal_in_status(status: int) -> int | None:
    """N when *status* is 128+N for a signal N this platform has, else ``None`` (255 is not a
    signal death but the shell's "out of range")."""
    if status > STATUS_BASE and signal_name(status - STATUS_BASE) is not None:
        return status - STATUS_BASE
    return None


def _tables() -> tuple[dict[int, str], dict[str, int]]:
    """(number → name, name → number) for this platform's signals. Built on each call (a few
    dozen entries, microseconds): exitkit asks a handful of times per run."""
    by_number: dict[int, str] = {}
    by_name: dict[str, int] = {}
    # Sorted by (number, name): for aliases (SIGABRT/SIGIOT, SIGCHLD/SIGCLD, SIGIO/SIGPOLL) the
    # first name wins, exactly as in enum's _convert_, which builds signal.Signals.
    pairs = sorted(
        (int(value), name)
        for name, value in vars(_sig).items()
        if name.startswith("SIG") and not name.startswith("SIG_") and isinstance(value, int)
    )
    for value, name in pairs:
        by_number.setdefault(value, name)
        by_name[name] = value
    return by_number, by_name


def signal_name(number: int) -> str | None:
    """``9`` → ``"SIGKILL"``, real-time ones as ``"SIGRTMIN+3"``; ``None`` for unknown numbers."""
    by_number, by_name = _tables()
    name = by_number.get(number)
    if name is not None:
        return name
    rtmin, rtmax = by_name.get("SIGRTMIN"), by_name.get("SIGRTMAX")
    if rtmin is not None and rtmax is not None and rtmin < number < rtmax:
        return f"SIGRTMIN+{number - rtmin}"
    return None


def parse_signal(text: str) -> int:
    """``"TERM"``, ``"SIGTERM"``, ``"term"``, ``"15"``, ``"RTMIN+2"`` → the platform's number.

    Raises ``ValueError`` naming the input for anything that is not a signal of this platform.
    """
    word = text.strip().upper()
    number: int | None
    if word.isascii() and word.isdigit():
        number = int(word)
    else:
        name = word if word.startswith("SIG") else "SIG" + word
        number = _tables()[1].get(name)
        if number is None:
            number = _realtime(name)
    if number is None or number not in _sig.valid_signals() or number == 0:
        raise ValueError(
            f"unknown signal '{text}': use a name like TERM, INT, HUP or KILL, or a signal number"
        )
    return number


def _realtime(name: str) -> int | None:
    """``SIGRTMIN+N`` / ``SIGRTMAX-N`` (Linux), inside the real-time range, else ``None``."""
    by_name = _tables()[1]
    for base, sign in (("SIGRTMIN+", 1), ("SIGRTMAX-", -1)):
        offset = name[len(base) :]
        if name.startswith(base) and offset.isascii() and offset.isdigit():
            rtmin, rtmax = by_name.get("SIGRTMIN"), by_name.get("SIGRTMAX")
            if rtmin is None or rtmax is None:
                return None
            number = (rtmin if sign > 0 else rtmax) + sign * int(offset)
            return number if rtmin <= number <= rtmax else None
    return None

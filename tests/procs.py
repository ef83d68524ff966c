"""Looking at processes from the tests, on Linux and macOS alike.

Linux has ``/proc``; macOS and the BSDs have ``ps``, which answers the same questions (``ps -A``
lists processes without a terminal too). The tests that inspect processes — the terminal and
job-control tests, the peers' cases — use these, so they run on both.

``LINUX_ONLY`` marks the tests that read what only Linux shows (a process's signal masks in
``/proc/PID/status``, cgroups, PID namespaces) and skips them elsewhere with that reason.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import pytest

HAS_PROC = os.path.isdir("/proc/self")
#: A device whose writes fail with ENOSPC: Linux and the BSDs have one, macOS does not.
NEEDS_DEV_FULL = pytest.mark.skipif(not os.path.exists("/dev/full"),
                                    reason="no /dev/full here (macOS): no device whose writes fail")
LINUX_ONLY = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads what only Linux shows (/proc/PID/status, cgroups)")


def _ps(*args: str) -> str:
    done = subprocess.run(["ps", *args], capture_output=True, text=True, check=False)
    return done.stdout if done.returncode == 0 else ""


def state(pid: int) -> str | None:
    """The one-letter state of *pid* (R, S, T, Z …), None when it is gone."""
    if HAS_PROC:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                text = stat.read()
        except OSError:
            return None
        return text[text.rindex(")") + 2]
    found = _ps("-o", "stat=", "-p", str(pid)).strip()
    return found[:1] or None


def alive(pid: int) -> bool:
    return state(pid) not in (None, "Z")


def argv(pid: int) -> list[str] | None:
    """The command line of *pid* (from ps: split on blanks), None when it is gone."""
    if HAS_PROC:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                words = cmdline.read().split(b"\0")
        except OSError:
            return None
        return [word.decode("utf-8", "surrogateescape") for word in words if word] or None
    found = _ps("-o", "args=", "-p", str(pid)).strip()
    return found.split() or None


def table() -> list[tuple[int, int, str]]:
    """(pid, parent pid, state) of every process."""
    if HAS_PROC:
        rows = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as stat:
                        text = stat.read()
                except OSError:
                    continue
                fields = text[text.rindex(")") + 2:].split()
                rows.append((int(entry), int(fields[1]), fields[0]))
        return rows
    rows = []
    for line in _ps("-A", "-o", "pid=,ppid=,stat=").splitlines():
        words = line.split()
        if len(words) >= 3:
            rows.append((int(words[0]), int(words[1]), words[2][:1]))
    return rows


def children(pid: int) -> list[int]:
    return [child for child, parent, _ in table() if parent == pid]


def descendants(pid: int) -> list[int]:
    """Every live process below *pid*."""
    rows = table()
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for child, ppid, status in rows:
            if ppid == parent:
                todo.append(child)
                if status != "Z":
                    found.append(child)
    return found


def processes_running(*args: str) -> list[int]:
    """Live processes whose command line starts with a program named like args[0] (any
    directory) followed by the rest of *args*."""
    found = []
    for pid, _, status in table():
        words = argv(pid) if status != "Z" else None
        if words and os.path.basename(words[0]) == os.path.basename(args[0]) \
                and words[1:len(args)] == list(args[1:]):
            found.append(pid)
    return found


def wait_for(condition: Callable[[], object], timeout: float = 10) -> bool:
    """Poll *condition* every 20 ms until it holds (True) or *timeout* seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


#: The signals people and supervisors stop things with.
STOPS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


def defaults() -> None:
    """preexec: the dispositions and mask a login shell gives a foreground command. A test run
    from a background job would otherwise pass on INT and QUIT ignored, and a test runner that
    blocks signals would pass on its mask: exitkit keeps both, as it should."""
    for signum in (*STOPS, signal.SIGALRM, signal.SIGUSR1, signal.SIGUSR2, signal.SIGCHLD):
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, set())


def ends_within(proc: subprocess.Popen[bytes], seconds: float, why: str) -> int:
    """*proc*'s status once it ends; the test fails, saying *why*, if it is still running after
    *seconds* (the caller's ``finally`` then clears it away with :func:`clear_away`)."""
    try:
        return proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        pytest.fail(why)


def clear_away(proc: subprocess.Popen[bytes]) -> None:
    """After a test: if *proc* still runs (the test failed), KILL it and everything it started,
    then reap it and close its pipes."""
    if proc.poll() is None:
        for pid in descendants(proc.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.kill()
    proc.communicate(timeout=10)

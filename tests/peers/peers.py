"""What the ported peer cases share: starting exitkit with a login shell's signal dispositions,
waiting, looking at processes in /proc, a PID namespace, a pseudo-terminal.

Statuses: GNU ``timeout`` and exitkit *die of* the signal their command died of, so Python sees
``returncode == -N`` where tini and dumb-init (which exit 128+N) are expected to give 128+N; a
shell reads 128+N either way. As PID 1 of a namespace exitkit cannot die of its own signal and
exits 128+N like them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time

import pytest

from conftest import EXITKIT, IN_CI
from procs import defaults, descendants


def as_job() -> None:
    """preexec: :func:`defaults`, in a process group of its own, as a job-control shell starts a
    job. Job stops (TSTP, TTIN, TTOU) need it: the kernel discards them, rather than stopping,
    in an *orphaned* group (one with no parent in another group of the session), and the group
    the tests run in is orphaned when their runner was started in the background."""
    defaults()
    os.setpgid(0, 0)


def run(*args: str, timeout: float = 60, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """``exitkit run ARGS``, finished, text output captured."""
    kwargs.setdefault("preexec_fn", defaults)
    return subprocess.run([EXITKIT, "run", *args], capture_output=True, text=True,
                          timeout=timeout, **kwargs)  # type: ignore[call-overload]


class Started(subprocess.Popen[str]):
    """A started exitkit that a ``with`` block never waits for forever: if it is still running
    when the block ends (a failed assertion), it and what it started are killed first."""

    def __exit__(self, *exc: object) -> None:
        if self.poll() is None:
            for pid in descendants(self.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self.kill()
        super().__exit__(*exc)  # type: ignore[arg-type]


def start(*args: str, **kwargs: object) -> Started:
    """``exitkit run ARGS`` started: stdout and stderr piped, text."""
    kwargs.setdefault("preexec_fn", defaults)
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    return Started([EXITKIT, "run", *args], text=True, **kwargs)  # type: ignore[arg-type]


def in_new_pid_namespace() -> list[str]:
    """The argv prefix that runs a command as PID 1 of a new PID namespace (skips, or fails in
    CI, where that is impossible)."""
    unshare = shutil.which("unshare")
    if unshare is not None:
        argv = [unshare, "--pid", "--fork", "--mount-proc"]
        probe = subprocess.run([*argv, "true"], capture_output=True, text=True)
        if probe.returncode == 0:
            return argv
        message = f"cannot make a PID namespace here: {probe.stderr.strip()}"
    else:
        message = "needs util-linux unshare"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def in_pty(argv: list[str], keys: list[bytes], *, settle: float = 0.5,
           timeout: float = 20) -> tuple[bytes, int]:
    """Run *argv* on a new pseudo-terminal as its session leader, type each of *keys* (pausing
    *settle* seconds before each), and return everything it printed and its wait status."""
    import pty
    import select

    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            defaults()
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    output = b""
    deadline = time.monotonic() + timeout
    pending = list(keys)
    next_key = time.monotonic() + settle
    status: int | None = None
    closed = False
    while time.monotonic() < deadline:
        if pending and time.monotonic() >= next_key:
            os.write(fd, pending.pop(0))
            next_key = time.monotonic() + settle
        if not closed and select.select([fd], [], [], 0.05)[0]:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the terminal's last user is gone
                chunk = b""
            closed = not chunk
            output += chunk
        elif closed:
            time.sleep(0.02)
        if status is None:
            done, wait_status = os.waitpid(pid, os.WNOHANG)
            if done:
                status = wait_status
        if status is not None and (closed or not pending):
            if not closed:  # what is left to read
                while select.select([fd], [], [], 0.2)[0]:
                    try:
                        chunk = os.read(fd, 4096)
                    except OSError:
                        break
                    if not chunk:
                        break
                    output += chunk
            break
    os.close(fd)
    if status is None:
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        raise AssertionError(f"{argv} did not end in {timeout} s; it printed {output!r}")
    return output, status

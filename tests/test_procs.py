"""tests/procs.py answers the same from /proc (Linux) and from ps (macOS, the BSDs): checked here
on a known process tree, with /proc hidden for the second answer."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

import procs


def answers(pid: int) -> tuple[object, ...]:
    words = procs.argv(pid)
    return (procs.state(pid), words[0] if words else None, sorted(procs.children(pid)),
            sorted(procs.descendants(pid)), procs.processes_running("sleep", "31.5"))


def test_ps_answers_as_proc_does(monkeypatch: pytest.MonkeyPatch) -> None:
    if not procs.HAS_PROC:
        pytest.skip("no /proc to compare with")
    with subprocess.Popen(["sh", "-c", "sleep 30.5 & sleep 31.5; wait"]) as shell:
        try:
            deadline = time.monotonic() + 10
            # Both sleeps started and the shell asleep in `wait`: until then its state may be R.
            while ((len(procs.descendants(shell.pid)) < 2 or procs.state(shell.pid) != "S")
                   and time.monotonic() < deadline):
                time.sleep(0.02)
            with_proc = answers(shell.pid)
            monkeypatch.setattr(procs, "HAS_PROC", False)
            assert answers(shell.pid) == with_proc
            assert with_proc[0] == "S" and with_proc[1] == "sh"
            assert len(with_proc[3]) == 2 and len(with_proc[4]) == 1  # type: ignore[arg-type]
        finally:
            for pid in procs.descendants(shell.pid):
                os.kill(pid, signal.SIGKILL)
            shell.kill()
    for has_proc in (True, False):
        monkeypatch.setattr(procs, "HAS_PROC", has_proc)
        assert (procs.state(shell.pid), procs.argv(shell.pid)) == (None, None)
        assert not procs.alive(shell.pid)

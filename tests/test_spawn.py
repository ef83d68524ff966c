"""run/spawn.py in-process, both ways it starts a command: fork and exec with Linux's
parent-death signal, and posix_spawn where there is no prctl (macOS, the BSDs), simulated here
by hiding prctl. Both must start the command the same way in everything else."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

from exitkit.run import spawn as spawn_module
from exitkit.run.spawn import SpawnError, Start, find_command, spawn
from procs import LINUX_ONLY


@pytest.fixture(params=["fork-exec", "posix_spawn"])
def way(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "posix_spawn":
        monkeypatch.setattr(spawn_module, "_PRCTL", [None])  # as on macOS
    elif spawn_module._prctl() is None:
        pytest.skip("no prctl on this platform")
    return str(request.param)


def wait(pid: int) -> int:
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


#: How exitkit run starts a command: a parent-death signal wherever there is one.
START = Start(pdeathsig=signal.SIGTERM)


def test_the_status_and_the_group(way: str, tmp_path: Path) -> None:
    out = tmp_path / "pgid"
    pid = spawn("/bin/sh", ["sh", "-c", f"ps -o pgid= -p $$ > {out}; exit 7"], os.environ,
                START)
    assert wait(pid) == 7
    assert int(out.read_text()) == pid  # a process group of its own


def test_a_script_without_a_hashbang_runs_with_bin_sh(way: str, tmp_path: Path) -> None:
    script = tmp_path / "script"
    script.write_text("exit 5\n")
    script.chmod(0o755)
    assert wait(spawn(str(script), ["script"], os.environ, START)) == 5


def test_a_missing_interpreter_is_127(way: str, tmp_path: Path) -> None:
    script = tmp_path / "script"
    script.write_text("#!/nonexistent/interpreter\n")
    script.chmod(0o755)
    with pytest.raises(SpawnError, match="script") as info:
        spawn(str(script), ["script"], os.environ, START)
    assert info.value.status == 127


def test_a_file_that_is_not_executable_is_126(way: str, tmp_path: Path) -> None:
    binary = tmp_path / "binary"
    binary.write_bytes(b"\x7fELF\x00\x00garbage\n")
    binary.chmod(0o755)
    with pytest.raises(SpawnError, match="binary") as info:
        spawn(str(binary), ["binary"], os.environ, START)
    assert info.value.status == 126


@LINUX_ONLY
def test_dispositions_and_mask_are_what_start_says(way: str, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "status"
    previous = signal.signal(signal.SIGUSR1, signal.SIG_IGN)
    try:
        how = Start(default={signal.SIGUSR1}, mask={signal.SIGUSR2},
                    pdeathsig=signal.SIGTERM)
        # a program that changes no signal of its own (a shell would)
        copy = f"import shutil; shutil.copy('/proc/self/status', {str(out)!r})"
        pid = spawn(sys.executable, ["python", "-c", copy], os.environ, how)
        assert wait(pid) == 0
    finally:
        signal.signal(signal.SIGUSR1, previous)
    fields = dict(line.split(":\t", 1) for line in out.read_text().splitlines() if ":\t" in line)
    assert not int(fields["SigIgn"], 16) >> (signal.SIGUSR1 - 1) & 1  # back to default
    assert int(fields["SigBlk"], 16) >> (signal.SIGUSR2 - 1) & 1


def test_the_way_chosen_is_the_one_expected(way: str) -> None:
    assert (spawn_module._prctl() is not None) == (way == "fork-exec")
    assert find_command("sh", os.environ) in ("/bin/sh", "/usr/bin/sh")

"""The process supervisor behind `exitkit run`, tested with real children.

Anything that sends signals runs the supervisor in a separate driver process
(tests/helpers/supervise_driver.py) so pytest itself is never signalled; what a shell reads is
checked by running that driver from a real shell.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import procs
from conftest import Tools
from exitkit.run.supervise import FORWARDED_SIGNALS, Outcome, SpawnError, supervise
from exitkit.signals import signal_name
from procs import processes_running

HELPERS = Path(__file__).resolve().parent / "helpers"
DRIVER = str(HELPERS / "supervise_driver.py")
WITH_CTTY = str(HELPERS / "with_ctty.py")
PY = sys.executable
#: For drivers: no terminal and a session of their own, even when pytest runs in a terminal, so a
#: driver never hands our terminal to its child nor passes a Ctrl-C on to our process group.
DETACHED: dict[str, Any] = {"stdin": subprocess.DEVNULL, "start_new_session": True}


# -- helpers ---------------------------------------------------------------------------------


def driver(*command: str, **options: str | float) -> list[str]:
    """The argv of a driver process: `driver --timeout 1 ... -- command...`."""
    argv = [PY, DRIVER]
    for name, value in options.items():
        argv += [f"--{name.replace('_', '-')}", str(value)]
    return [*argv, "--", *command]


def in_shell(argv: list[str]) -> str:
    """Run argv from `sh -c` and return what that shell reads as `$?`."""
    script = '"$@"; echo "status=$?"'
    result = subprocess.run(
        ["sh", "-c", script, "sh", *argv], **DETACHED, capture_output=True, text=True, timeout=60
    )
    return result.stdout.strip().splitlines()[-1]


def wait_until(condition: Callable[[], object], timeout: float, interval: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return bool(condition())
        time.sleep(interval)
    return True


def unique_seconds() -> str:
    """A `sleep` argument no other process on the machine has: `317.<random digits>`."""
    return f"317.{os.getpid()}{random.randrange(10**6):06d}"


def sleepers(arg: str) -> list[int]:
    """Live (non-zombie) `sleep ARG` processes."""
    return processes_running("sleep", arg)


@pytest.fixture
def sleep_arg() -> Iterator[str]:
    arg = unique_seconds()
    yield arg
    for pid in sleepers(arg):  # never leave one behind, even when the test failed
        os.kill(pid, signal.SIGKILL)


def read_line(proc: subprocess.Popen[bytes], timeout: float = 10) -> bytes:
    """One line of the process's stdout, or b"" if none comes in time."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    line = b""
    deadline = time.monotonic() + timeout
    while not line.endswith(b"\n"):
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        byte = os.read(fd, 1)
        if not byte:
            break
        line += byte
    return line


def kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


# -- exit statuses -----------------------------------------------------------------------------


def test_every_exit_status_passes_through_unchanged() -> None:
    for code in range(256):
        outcome = supervise(["sh", "-c", 'exit "$1"', "sh", str(code)])
        assert (outcome.returncode, outcome.signal, outcome.status) == (code, None, code)
        assert not outcome.timed_out


def test_the_calling_shell_reads_the_childs_exit_status() -> None:
    codes = [0, 1, 2, 42, 124, 125, 126, 127, 128, 137, 255]
    loop = 'py=$0 drv=$1; shift; for n in "$@"; do "$py" "$drv" -- sh -c "exit $n"; echo $?; done'
    out = subprocess.run(
        ["sh", "-c", loop, PY, DRIVER, *map(str, codes)],
        **DETACHED,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert out.split() == [str(code) for code in codes]


@pytest.mark.parametrize("name", ["SIGTERM", "SIGKILL", "SIGINT", "SIGSEGV"])
def test_a_signal_death_reads_as_128_plus_n_and_is_passed_on(name: str, tmp_path: Path) -> None:
    number = getattr(signal, name)
    child_dir = tmp_path / "child"
    child_dir.mkdir()
    child = ["sh", "-c", f'cd "$1" && kill -s {name[3:]} $$; exit 3', "sh", str(child_dir)]
    assert in_shell(driver(*child)) == f"status={128 + number}"
    # ...because the driver dies of the same signal, as GNU timeout does (a shell loop then
    # stops on Ctrl-C), with core dumps off: the child's core (if any) is the one that counts.
    allow_cores = ["sh", "-c", 'ulimit -c unlimited 2>/dev/null; exec "$@"', "sh"]
    proc = subprocess.run(
        [*allow_cores, *driver(*child)], **DETACHED, cwd=tmp_path, capture_output=True, timeout=60
    )
    assert proc.returncode == -number
    assert [path.name for path in tmp_path.iterdir()] == ["child"]


def test_outcome_status_is_what_a_shell_reads() -> None:
    assert Outcome(3).status == 3
    assert Outcome(-15, signal=15).status == 143
    assert Outcome(-9, signal=9, timed_out=True).status == 124
    assert Outcome(0, timed_out=True).status == 124
    assert Outcome(42, timed_out=True, parent_died=True).status == 124


# -- starting the command ----------------------------------------------------------------------


def test_arguments_go_to_the_child_as_a_list_never_through_a_shell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    args = ["$(touch pwned)", "a b", "*", "`touch pwned`", "'", '"', "\\", ""]
    outcome = supervise(["printf", "[%s]\\n", *args])
    assert outcome.status == 0
    assert capfd.readouterr().out.splitlines() == [f"[{arg}]" for arg in args]
    assert not (tmp_path / "pwned").exists()


def test_the_child_inherits_the_environment_or_gets_the_given_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("EXITKIT_SUPERVISE_TEST", "inherited")
    assert supervise(["sh", "-c", 'test "$EXITKIT_SUPERVISE_TEST" = inherited']).status == 0
    env = {"PATH": os.environ["PATH"], "ONLY_THIS": "1"}
    check = 'test "$ONLY_THIS" = 1 && test -z "${EXITKIT_SUPERVISE_TEST:-}"'
    assert supervise(["sh", "-c", check], env=env).status == 0


def test_stdin_stdout_and_stderr_are_the_childs_and_no_output_is_lost(tmp_path: Path) -> None:
    out, err = tmp_path / "out", tmp_path / "err"
    big = 3_000_000
    child = 'read line; echo "in:$line"; head -c "$1" /dev/zero; echo "to-stderr" >&2'
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.run(
            driver("sh", "-c", child, "sh", str(big)),
            input=b"hello\n",
            start_new_session=True,
            stdout=stdout,
            stderr=stderr,
            timeout=60,
        )
    assert proc.returncode == 0
    data = out.read_bytes()
    assert data.startswith(b"in:hello\n")
    assert len(data) == len(b"in:hello\n") + big
    assert err.read_bytes() == b"to-stderr\n"


def test_the_child_gets_default_sigpipe_though_python_ignores_it() -> None:
    outcome = supervise(["sh", "-c", "kill -s PIPE $$; exit 3"])
    assert outcome.signal == signal.SIGPIPE


def test_a_signal_ignored_when_we_started_stays_ignored_in_the_child() -> None:
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as under nohup
    try:
        outcome = supervise(["sh", "-c", "kill -s HUP $$; exit 3"])
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)
    assert outcome.status == 3


def test_command_not_found_is_127() -> None:
    with pytest.raises(SpawnError, match=r"^exitkit-no-such-command-4711: command not found$") \
            as excinfo:
        supervise(["exitkit-no-such-command-4711"])
    assert excinfo.value.status_name == "command-not-found"
    assert excinfo.value.status == 127
    assert excinfo.value.message == "exitkit-no-such-command-4711: command not found"


@pytest.mark.parametrize("command", ["./no-such-file", "/nonexistent/dir/tool", ""])
def test_a_missing_path_is_command_not_found(command: str) -> None:
    with pytest.raises(SpawnError, match=r"(No such file or directory|command not found)$") \
            as excinfo:
        supervise([command])
    assert excinfo.value.status_name == "command-not-found"


def _not_executable(tmp_path: Path, kind: str) -> tuple[list[str], dict[str, str] | None, str]:
    """(argv, env, expected message part) for each way a found command cannot run."""
    bin_dir = tmp_path / "path-entry"
    bin_dir.mkdir()
    if kind == "no x bit":
        plain = Tools.script(tmp_path / "tool", "#!/bin/sh\n", 0o644)
        return [str(plain)], None, "Permission denied"
    if kind == "directory":
        return [str(bin_dir)], None, "Is a directory"
    if kind == "no x bit, found on PATH":
        Tools.script(bin_dir / "tool", "#!/bin/sh\n", 0o644)
        return ["tool"], {"PATH": str(bin_dir)}, "Permission denied"
    if kind == "not a program":
        (tmp_path / "tool").write_bytes(b"\x7fELF\x00\x00 this is no program")
        (tmp_path / "tool").chmod(0o755)
        return [str(tmp_path / "tool")], None, "cannot execute binary file: Exec format error"
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind",
    ["no x bit", "directory", "no x bit, found on PATH", "not a program"],
)
def test_a_command_that_cannot_run_is_not_executable_126(tmp_path: Path, kind: str) -> None:
    argv, env, message = _not_executable(tmp_path, kind)
    with pytest.raises(SpawnError, match=re.escape(message)) as excinfo:
        supervise(argv, env=env)
    assert (excinfo.value.status_name, excinfo.value.status) == ("not-executable", 126)
    assert message in excinfo.value.message


def test_a_missing_interpreter_is_127_as_bash_and_gnu_timeout_say(tmp_path: Path) -> None:
    tool = Tools.script(tmp_path / "tool", "#!/nonexistent/interpreter -x\necho hi\n")
    with pytest.raises(SpawnError) as excinfo:
        supervise([str(tool)])
    assert (excinfo.value.status_name, excinfo.value.status) == ("command-not-found", 127)
    assert excinfo.value.message == (f"{tool}: /nonexistent/interpreter: bad interpreter: "
                                     "No such file or directory")


@pytest.mark.parametrize("text", ["echo ran:$0:$1\nexit 7\n", "#!\necho ran:$0:$1\nexit 7\n",
                                  "\n#!/bin/bash\necho ran:$0:$1\nexit 7\n", ""])
def test_a_script_without_a_hashbang_runs_with_bin_sh(text: str, tmp_path: Path,
                                                      capfd: pytest.CaptureFixture[str]) -> None:
    tool = Tools.script(tmp_path / "tool", text)
    outcome = supervise([str(tool), "arg"])
    out = capfd.readouterr().out
    if text:
        assert (outcome.status, out) == (7, f"ran:{tool}:arg\n")
    else:
        assert (outcome.status, out) == (0, "")  # an empty file is an empty script


def test_path_search_is_execvps_a_later_executable_beats_a_directory(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    (first / "tool").mkdir(parents=True)  # a directory named like the command
    second.mkdir()
    Tools.script(second / "tool", "#!/bin/sh\nexit 7\n")
    assert supervise(["tool"], env={"PATH": f"{first}:{second}"}).status == 7
    # only the directory: execvp's EACCES, so 126 (GNU timeout and env say the same)
    env = {"PATH": str(first)}
    with pytest.raises(SpawnError, match=r"/first/tool: Permission denied$") as excinfo:
        supervise(["tool"], env=env)
    assert excinfo.value.status_name == "not-executable"
    with pytest.raises(SpawnError, match=r"^tool: command not found$"):
        supervise(["tool"], env={"PATH": str(tmp_path / "nowhere")})
    third = tmp_path / "third"
    third.mkdir()
    # not executable, but an executable comes later
    Tools.script(third / "tool", "#!/bin/sh\n", 0o644)
    assert supervise(["tool"], env={"PATH": f"{third}:{second}"}).status == 7


def test_a_shell_reads_127_and_126_from_the_driver(tmp_path: Path) -> None:
    assert in_shell(driver("exitkit-no-such-command-4711")) == "status=127"
    plain = Tools.script(tmp_path / "plain", "#!/bin/sh\n", 0o644)
    assert in_shell(driver(str(plain))) == "status=126"
    assert in_shell(driver(str(tmp_path))) == "status=126"


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match=r"needs a command to run"):
        supervise([])
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match=r"^timeout must be a finite number of seconds >= 0"):
            supervise(["true"], timeout=bad)
        with pytest.raises(ValueError, match=r"^kill_after must be a finite number of seconds"):
            supervise(["true"], kill_after=bad)


# -- timeouts --------------------------------------------------------------------------------


def test_a_timeout_stops_the_child_and_gives_124() -> None:
    outcome = supervise(["sleep", "30"], timeout=0.3)
    assert outcome.timed_out and not outcome.parent_died
    assert outcome.signal == signal.SIGTERM
    assert outcome.status == 124
    assert 0.25 <= outcome.duration < 10
    assert in_shell(driver("sleep", "30", timeout=0.3)) == "status=124"


def test_the_timeout_signal_can_be_chosen() -> None:
    outcome = supervise(["sleep", "30"], timeout=0.2, timeout_signal=signal.SIGINT)
    assert (outcome.signal, outcome.status) == (signal.SIGINT, 124)


def test_a_child_that_ignores_term_is_killed_after_kill_after_and_it_is_still_124() -> None:
    outcome = supervise(["sh", "-c", 'trap "" TERM; sleep 30'], timeout=0.3, kill_after=1.0)
    assert outcome.signal == signal.SIGKILL
    assert outcome.status == 124  # GNU timeout says 137 here, which scripts checking 124 miss
    assert 1.25 <= outcome.duration < 10
    child = ["sh", "-c", 'trap "" TERM; sleep 30']
    assert in_shell(driver(*child, timeout=0.3, kill_after=0.5)) == "status=124"


def test_a_child_that_exits_on_term_still_reads_as_a_timeout() -> None:
    outcome = supervise(["sh", "-c", 'trap "exit 42" TERM; sleep 30 & wait'], timeout=0.3)
    assert (outcome.returncode, outcome.status, outcome.timed_out) == (42, 124, True)


def test_a_stopped_child_is_continued_so_it_can_act_on_the_timeout_signal() -> None:
    child = ["sh", "-c", 'trap "exit 42" TERM; kill -s STOP $$; sleep 30']
    outcome = supervise(child, timeout=0.3, kill_after=30)
    assert outcome.returncode == 42  # not SIGKILL thirty seconds later
    assert outcome.duration < 10


def test_no_grandchild_survives_a_timeout(sleep_arg: str) -> None:
    # The grandchild ignores TERM and the child dies of it at once, so only the final KILL to the
    # group (sent after the child is reaped, not kill_after later) can end the grandchild.
    child = f'(trap "" TERM; exec sleep {sleep_arg}) & exec sleep 300'
    outcome = supervise(["sh", "-c", child], timeout=1.0, kill_after=30)
    assert outcome.status == 124
    assert outcome.signal == signal.SIGTERM
    assert wait_until(lambda: not sleepers(sleep_arg), timeout=5)


def test_a_plain_background_grandchild_dies_with_the_group_on_timeout(sleep_arg: str) -> None:
    outcome = supervise(["sh", "-c", f"sleep {sleep_arg} & sleep {sleep_arg}"], timeout=0.5)
    assert outcome.status == 124
    assert wait_until(lambda: not sleepers(sleep_arg), timeout=5)


# -- signals sent to us ----------------------------------------------------------------------

CHILD_EXITS_ON_SIGNALS = """
import os, signal, sys, time
for number in sys.argv[1:]:
    signal.signal(int(number), lambda n, f: sys.exit(100 + n))
print("ready", flush=True)
parent = os.getppid()
while os.getppid() == parent:  # never outlive the driver, even when a test fails
    time.sleep(0.1)
"""


@pytest.mark.parametrize("signum", FORWARDED_SIGNALS, ids=signal_name)
def test_signals_sent_to_us_are_forwarded_and_the_childs_status_comes_back(signum: int) -> None:
    proc = subprocess.Popen(
        driver(PY, "-c", CHILD_EXITS_ON_SIGNALS, *map(str, FORWARDED_SIGNALS)), **DETACHED,
        stdout=subprocess.PIPE
    )
    try:
        assert read_line(proc) == b"ready\n"
        proc.send_signal(signum)
        assert proc.wait(timeout=20) == 100 + signum
    finally:
        proc.kill()
        proc.wait()
        assert proc.stdout is not None
        proc.stdout.close()


def test_term_to_the_driver_reaches_a_trapping_shell_child() -> None:
    child = (
        'trap "exit 42" TERM; echo ready; i=0; while [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done'
    )
    proc = subprocess.Popen(driver("sh", "-c", child), **DETACHED, stdout=subprocess.PIPE)
    try:
        assert read_line(proc) == b"ready\n"
        proc.terminate()
        assert proc.wait(timeout=20) == 42
    finally:
        proc.kill()
        proc.wait()
        assert proc.stdout is not None
        proc.stdout.close()


def test_the_child_runs_in_a_process_group_of_its_own() -> None:
    check = "import os, sys; sys.exit(0 if os.getpgrp() == os.getpid() else 1)"
    assert supervise([PY, "-c", check]).status == 0


def test_the_child_is_reaped_no_zombie_is_left() -> None:
    for argv in (["true"], ["sh", "-c", "exit 9"], ["sleep", "30"]):
        outcome = supervise(argv, timeout=0.2)
        with pytest.raises(ChildProcessError, match=r"No child processes"):
            os.waitpid(outcome.pid, os.WNOHANG)


def test_handlers_and_the_wakeup_fd_are_restored_after_each_run() -> None:
    watched = (*FORWARDED_SIGNALS, signal.SIGCHLD, signal.SIGTTOU)
    r, w = os.pipe()
    os.set_blocking(w, False)

    def handler(signum: int, frame: object) -> None:
        pass

    previous_fd = signal.set_wakeup_fd(w)
    previous_usr1 = signal.signal(signal.SIGUSR1, handler)
    try:
        expected = {signum: signal.getsignal(signum) for signum in watched}
        for argv, timeout in ((["sh", "-c", "exit 3"], None), (["sleep", "30"], 0.1)):
            supervise(argv, timeout=timeout)
            assert {signum: signal.getsignal(signum) for signum in watched} == expected
            assert signal.getsignal(signal.SIGUSR1) is handler
            assert signal.set_wakeup_fd(w) == w  # ours again, not the supervisor's
    finally:
        signal.set_wakeup_fd(previous_fd)
        signal.signal(signal.SIGUSR1, previous_usr1)
        os.close(r)
        os.close(w)


def test_many_open_files_do_not_break_the_wait_loop() -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 1200
    if soft < wanted and (hard == resource.RLIM_INFINITY or hard >= wanted):
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    elif soft < wanted:
        pytest.skip(f"cannot open {wanted} files here")
    fds = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]  # so our pipe's fds are > 1024
    try:
        outcome = supervise(["sh", "-c", "sleep 0.1; exit 5"], timeout=20)
    finally:
        for fd in fds:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert outcome.status == 5


def test_supervise_works_outside_the_main_thread_without_touching_handlers() -> None:
    results: list[Outcome] = []
    before = signal.getsignal(signal.SIGCHLD)

    def work() -> None:
        results.append(supervise(["sh", "-c", "exit 7"]))
        results.append(supervise(["sleep", "30"], timeout=0.2))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=20)
    assert [outcome.status for outcome in results] == [7, 124]
    assert signal.getsignal(signal.SIGCHLD) == before


# -- our parent dies (GitHub Actions cancelling a step) ---------------------------------------


@pytest.mark.parametrize("child_ignores_term", [False, True], ids=["plain", "ignores-TERM"])
def test_when_our_parent_dies_the_child_is_stopped(
    tmp_path: Path, sleep_arg: str, child_ignores_term: bool
) -> None:
    kill_after = 1.5
    command = f"exec sleep {sleep_arg}"
    if child_ignores_term:
        command = f'trap "" TERM; {command}'
    step = tmp_path / "step.sh"
    step.write_text(
        f'"$1" "$2" --kill-after {kill_after} -- sh -c \'{command}\'\necho "not reached"\n'
    )
    shell = subprocess.Popen(
        ["bash", "-e", str(step), PY, DRIVER], **DETACHED, stdout=subprocess.PIPE
    )
    try:
        assert wait_until(lambda: sleepers(sleep_arg), timeout=20)
        # What the runner does on cancel: SIGINT to the step's shell only, later SIGTERM.
        shell.send_signal(signal.SIGINT)
        time.sleep(0.1)
        shell.terminate()
        shell.wait(timeout=10)
        assert wait_until(lambda: not sleepers(sleep_arg), timeout=kill_after + 1)
    finally:
        kill_group(shell.pid)
        shell.wait()
        assert shell.stdout is not None
        shell.stdout.close()


# -- the terminal ------------------------------------------------------------------------------


class Terminal:
    """A command running as the session leader of a new pseudo-terminal, as in a terminal window."""

    def __init__(self, argv: list[str], env: dict[str, str] | None = None) -> None:
        self.master, slave = os.openpty()
        self.proc = subprocess.Popen(
            [PY, WITH_CTTY, *argv],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
            env=env,
        )
        os.close(slave)
        self.output = b""

    def read_until(self, needle: bytes, timeout: float = 10) -> bool:
        deadline = time.monotonic() + timeout
        while needle not in self.output:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            ready, _, _ = select.select([self.master], [], [], remaining)
            if ready:
                try:
                    data = os.read(self.master, 4096)
                except OSError:  # EIO: every slave fd is closed
                    return needle in self.output
                if not data:
                    return needle in self.output
                self.output += data
        return True

    def drain(self) -> None:
        self.read_until(b"\0never\0", timeout=0.05)

    def foreground(self) -> int:
        try:
            return os.tcgetpgrp(self.master)
        except OSError:
            return -1

    def foreground_runs(self, *argv: str) -> bool:
        """True when the terminal's foreground process group is led by a process running argv."""
        leader = self.foreground()
        if leader <= 1:  # 0: no foreground group yet
            return False
        words = procs.argv(leader)
        return words is not None and [os.path.basename(words[0]), *words[1:len(argv)]] == [
            os.path.basename(argv[0]), *argv[1:]]

    def type(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> None:
        foreground = self.foreground()
        kill_group(self.proc.pid)
        if foreground > 1:  # 0 would mean *our* group to killpg
            kill_group(foreground)
        self.proc.wait()
        os.close(self.master)


@pytest.fixture
def terminal() -> Iterator[Callable[..., Terminal]]:
    opened: list[Terminal] = []

    def open_terminal(argv: list[str], env: dict[str, str] | None = None) -> Terminal:
        opened.append(Terminal(argv, env))
        return opened[-1]

    yield open_terminal
    for term in opened:
        term.close()


def test_the_child_gets_the_terminal_and_can_read_a_line_from_it(
    terminal: Callable[..., Terminal],
) -> None:
    child = ["sh", "-c", 'read line; echo "got:$line"']
    term = terminal(driver(*child, timeout=15))
    term.type(b"hello\n")  # waits in the terminal's input queue until the child reads it
    assert term.read_until(b"got:hello"), term.output
    assert term.proc.wait(timeout=10) == 0


def test_a_child_stopped_for_reading_the_terminal_too_early_is_continued(
    terminal: Callable[..., Terminal],
) -> None:
    # A child that reads the terminal between spawn and our hand-over gets SIGTTIN and stops;
    # sending itself SIGTTIN plays that race deterministically.
    child = ["sh", "-c", 'kill -s TTIN $$; read line; echo "got:$line"']
    term = terminal(driver(*child, timeout=15))
    term.type(b"hello\n")
    assert term.read_until(b"got:hello"), term.output
    assert term.proc.wait(timeout=10) == 0


def test_ctrl_c_stops_the_script_that_ran_us(terminal: Callable[..., Terminal]) -> None:
    script_text = '"$0" "$1" -- sleep 30; echo after-exitkit'
    term = terminal(["bash", "-c", script_text, PY, DRIVER])
    # the child's own process group holds the foreground once it runs
    assert wait_until(lambda: term.foreground_runs("sleep", "30"), timeout=10)
    term.type(b"\x03")
    assert term.proc.wait(timeout=10) == -signal.SIGINT  # the script stopped, as without exitkit
    term.drain()
    assert b"after-exitkit" not in term.output


def test_an_int_from_elsewhere_does_not_stop_the_script_that_ran_us(
    terminal: Callable[..., Terminal],
) -> None:
    """In a terminal too: the child killed itself with INT, the terminal sent nothing, so the
    script carries on with 130, as bash and GNU timeout do."""
    script_text = '"$0" "$1" -- sh -c "sleep 0.5; kill -INT \\$\\$"; echo "after-exitkit:$?"'
    term = terminal(["bash", "-c", script_text, PY, DRIVER])
    assert term.read_until(b"after-exitkit:130"), term.output
    assert term.proc.wait(timeout=10) == 0


def test_a_job_started_in_the_background_gets_the_terminal_on_fg(
        terminal: Callable[..., Terminal]) -> None:
    """`exitkit run -- sh -c 'read x' &`: the command reads the terminal from the background and
    stops; `fg` must hand it the terminal, as the shell does for a job without exitkit."""
    env = {**os.environ, "PS1": "prompt$ ", "TERM": "dumb", "HISTFILE": "/dev/null"}
    term = terminal(["bash", "--norc", "--noprofile", "-i"], env)
    assert term.read_until(b"prompt$ ")
    term.type(f"'{PY}' '{DRIVER}' -- sh -c 'read x; echo \"got:$x\"; exit 5' &\n".encode())
    assert term.read_until(b"prompt$ ")
    time.sleep(1)  # it reads, is stopped for it (SIGTTIN), and exitkit stops with it
    term.type(b"fg\n")

    def child_has_terminal() -> bool:
        return term.foreground_runs("sh", "-c", 'read x; echo "got:$x"; exit 5')

    assert wait_until(child_has_terminal, timeout=10), term.output
    term.type(b"hello\n")
    assert term.read_until(b"got:hello"), term.output
    term.type(b"echo status=$?\n")
    assert term.read_until(b"status=5"), term.output
    term.type(b"exit\n")
    assert term.proc.wait(timeout=10) == 0


def test_ctrl_z_stops_the_job_and_fg_resumes_it(terminal: Callable[..., Terminal]) -> None:
    env = {**os.environ, "PS1": "prompt$ ", "TERM": "dumb", "HISTFILE": "/dev/null"}
    term = terminal(["bash", "--norc", "--noprofile", "-i"], env)
    shell_pgrp = term.proc.pid
    assert term.read_until(b"prompt$ ")
    term.type(f"'{PY}' '{DRIVER}' --timeout 30 -- sh -c 'read x; echo \"got:$x\"'\n".encode())

    def child_has_terminal() -> bool:
        return term.foreground_runs("sh", "-c", 'read x; echo "got:$x"')

    assert wait_until(child_has_terminal, timeout=10)
    term.type(b"\x1a")  # Ctrl-Z
    assert term.read_until(b"Stopped"), term.output  # the shell saw its job stop
    assert wait_until(lambda: term.foreground() == shell_pgrp, timeout=10)
    term.type(b"fg\n")
    assert wait_until(child_has_terminal, timeout=10)
    term.type(b"hello\n")
    assert term.read_until(b"got:hello"), term.output
    term.type(b"exit\n")
    assert term.proc.wait(timeout=10) == 0

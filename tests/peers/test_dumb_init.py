"""dumb-init's own tests, translated to ``exitkit run``.

Source: github:Yelp/dumb-init at 5ccca9cb (v1.2.5-48): ``tests/cli_test.py`` (DC),
``exit_status_test.py`` (DE), ``child_processes_test.py`` (DP), ``cwd_test.py`` (DW),
``proxies_signals_test.py`` (DS), ``shell_background_test.py`` (DB), ``tty_test.py`` (DT) and
``tests/test-zombies`` (DZ), with its helper ``testing/print_signals.py`` (rewritten below).
dumb-init's setsid/single-child and debug modes collapse into one case: exitkit always signals
the command's whole group. dumb-init exits 128+N where exitkit dies of N.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import EXITKIT
from peers import as_job, defaults, in_new_pid_namespace, in_pty, run, start
from procs import alive, descendants, state, wait_for

NOT_PORTED = {
    "DC4 -V/--version": "exitkit --version is exitkit's own, not run's",
    "DC6, DP2, DP4, DB2 (--single-child)": "exitkit always signals the command's group; its -c "
                                           "is --contract",
    "DC7, DS2 (b)-(d), DS3, DS4 (--rewrite)": "no signal rewriting; --signal is checked instead "
                                             "(test below)",
    "DC5's debug lines": "no debug output; the pass-through part is tested",
    "DP3's TERM to leftovers": "deliberate: like GNU timeout and tini, exitkit leaves processes "
                               "the command left running in the background alone when the "
                               "command exits normally (tested below)",
    "DT3's hand-off messages": "dumb-init's TIOCNOTTY quirk; the HUP part is tested",
    "DS1 for SEGV, BUS, ILL, FPE, TRAP, SYS, ABRT, PIPE, CONT, URG, WINCH": "not forwarded: "
        "the faults are the receiver's own, CONT and job stops are handled as job control "
        "(DB1), PIPE, URG and WINCH have no effect by default",
}

PY = sys.executable
#: testing/print_signals.py, in our words: report every catchable signal by number, ready line
#: first; two INTs in a row end it.
PRINT_SIGNALS = """
import os, signal, sys
last = [None]
def handler(signum, frame):
    print(signum, flush=True)
    if signum == signal.SIGINT and last[0] == signal.SIGINT:
        sys.exit(0)
    if signum != signal.SIGCONT:  # exitkit's CONT after a stop signal (docs/comparison.md)
        last[0] = signum
for s in range(1, 32):
    if s not in (signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD):
        signal.signal(s, handler)
print(f"ready (pid: {os.getpid()})", flush=True)
while True:
    signal.pause()
"""


@contextmanager
def print_signals(*options: str, job: bool = False) -> Iterator[subprocess.Popen[str]]:
    """exitkit running PRINT_SIGNALS, ready; killed afterwards, with the command. *job*: in a
    process group of its own (:func:`peers.as_job`)."""
    with start(*options, "--", PY, "-c", PRINT_SIGNALS,
               preexec_fn=as_job if job else defaults) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("ready (pid: ")
        yield proc


# --- cli_test.py ------------------------------------------------------------------------------


def test_dc1_no_arguments() -> None:
    result = run()
    assert (result.returncode, result.stdout) == (125, "")
    assert result.stderr == ("exitkit: no command to run\n"
                             "exitkit: hint: see 'exitkit run --help'\n")


def test_dc2_an_invalid_option_runs_nothing(tmp_path: Path) -> None:
    mark = tmp_path / "ran"
    result = run("--yolo", "--", "touch", str(mark))
    assert result.returncode == 125
    assert "--yolo" in result.stderr
    assert not mark.exists()


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_dc3_help_on_stdout(flag: str) -> None:
    result = run(flag)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("Usage: exitkit run")


def test_dc5_output_passes_through_untouched() -> None:
    result = run("--", "echo", "oh,", "hi")
    assert (result.returncode, result.stdout, result.stderr) == (0, "oh, hi\n", "")


@pytest.mark.parametrize("value", ["", "herp", "15:12", "0", "65", "SIGHERP"])
def test_dc7_a_bad_signal_runs_nothing(value: str, tmp_path: Path) -> None:
    """DC7's counterpart: an invalid --signal is 125 and the command is not run."""
    mark = tmp_path / "ran"
    assert run("--signal", value, "--", "touch", str(mark)).returncode == 125
    assert not mark.exists()


# --- exit_status_test.py ----------------------------------------------------------------------


@pytest.mark.parametrize("code", [0, 1, 2, 32, 64, 127, 254, 255])
def test_de1_a_regular_exit_is_passed_through(code: int) -> None:
    assert run("-q", "--", "sh", "-c", f"exit {code}").returncode == code


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT,
                                    signal.SIGKILL])
def test_de2_a_signal_death_is_passed_on(signum: int, tmp_path: Path) -> None:
    result = run("--", PY, "-c", f"import os; os.kill(os.getpid(), {int(signum)})",
                 cwd=tmp_path)
    assert result.returncode == -signum
    assert list(tmp_path.iterdir()) == []  # QUIT: no core file of exitkit's


# --- child_processes_test.py ------------------------------------------------------------------


def test_dp1_term_reaches_every_process_of_the_command() -> None:
    with start("--", "sh", "-c", "yes 'oh, hi' | tail & yes error | tail >&2") as proc:
        assert wait_for(lambda: len(descendants(proc.pid)) == 5, timeout=5)
        family = descendants(proc.pid)
        proc.terminate()
        assert proc.wait(timeout=5) == -signal.SIGTERM
    assert wait_for(lambda: not any(alive(pid) for pid in family), timeout=1.5)


def test_dp3_processes_left_in_the_background_are_left_alone(tmp_path: Path) -> None:
    """DP3, the deliberate difference: after a normal exit nothing is signalled."""
    pid_file = tmp_path / "pid"
    result = run("--", "sh", "-c", f"sleep 30 >/dev/null 2>&1 & echo $! > {pid_file}")
    assert result.returncode == 0
    leftover = int(pid_file.read_text())
    try:
        time.sleep(0.3)
        assert alive(leftover)
    finally:
        os.kill(leftover, signal.SIGKILL)


@pytest.mark.parametrize("args", [["/doesnotexist"], ["--", "/doesnotexist"]])
def test_dp5_a_missing_program(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 127
    assert result.stderr == "exitkit: /doesnotexist: No such file or directory\n"


# --- cwd_test.py ------------------------------------------------------------------------------


def test_dw1_the_command_runs_where_exitkit_was_started(tmp_path: Path) -> None:
    result = run("--", "sh", "-c", "pwd -P", cwd=tmp_path)
    assert result.stdout == f"{tmp_path.resolve()}\n"


# --- proxies_signals_test.py ------------------------------------------------------------------


#: The ones this platform has (STKFLT and PWR are Linux's; Python 3.10 lacks signal.SIGSTKFLT).
FORWARDED = [getattr(signal, name) for name in (
    "SIGHUP", "SIGINT", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGTERM", "SIGVTALRM", "SIGPROF",
    "SIGXCPU", "SIGIO", "SIGPWR", "SIGSTKFLT") if hasattr(signal, name)]


@pytest.mark.parametrize("signum", FORWARDED, ids=lambda s: signal.Signals(s).name)
def test_ds1_signals_are_passed_on(signum: int) -> None:
    with print_signals() as proc:
        assert proc.stdout is not None
        proc.send_signal(signum)
        assert proc.stdout.readline() == f"{int(signum)}\n"


def test_ds2_a_sequence_arrives_in_order() -> None:
    """DS2 (a): TERM, QUIT, INT sent one by one reach the command as sent. (From the second
    stop signal on exitkit would KILL the command 1.5 s later, on a loaded machine before it is
    done: --kill-after 0 leaves the order alone to be tested, as in dumb-init.) Unlike
    dumb-init, and like GNU timeout, exitkit follows each stop signal with CONT, so that a
    stopped process can act on it (docs/comparison.md): each comes right after its signal."""
    with print_signals("--kill-after", "0") as proc:
        assert proc.stdout is not None
        for signum in (signal.SIGTERM, signal.SIGQUIT, signal.SIGINT):
            proc.send_signal(signum)
            assert proc.stdout.readline() == f"{int(signum)}\n"
            assert proc.stdout.readline() == f"{int(signal.SIGCONT)}\n"
        proc.send_signal(signal.SIGINT)  # the second INT in a row ends it
        assert proc.stdout.readline() == f"{int(signal.SIGINT)}\n"
        assert proc.wait(timeout=5) == 0


# --- shell_background_test.py -----------------------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGTSTP, signal.SIGTTOU, signal.SIGTTIN],
                         ids=lambda s: signal.Signals(s).name)
def test_db1_a_job_stop_stops_the_command_too_and_cont_continues_it(signum: int) -> None:
    """DB1: `kill -TSTP %1` reaches exitkit's group only; the command stops with exitkit, and
    continues with it."""
    with print_signals(job=True) as proc:
        assert proc.stdout is not None
        (child,) = descendants(proc.pid)
        proc.send_signal(signum)
        assert proc.stdout.readline() == f"{int(signum)}\n"  # it catches the stop signal
        assert wait_for(lambda: state(proc.pid) == "T", timeout=1.5)
        proc.send_signal(signal.SIGCONT)
        assert proc.stdout.readline() == f"{int(signal.SIGCONT)}\n"
        assert wait_for(lambda: state(proc.pid) in ("S", "R") and state(child) in ("S", "R"))


def test_db1_a_command_that_stops_stops_with_exitkit() -> None:
    with start("--", "sleep", "30", preexec_fn=as_job) as proc:
        assert wait_for(lambda: len(descendants(proc.pid)) == 1)
        (child,) = descendants(proc.pid)
        proc.send_signal(signal.SIGTSTP)
        assert wait_for(lambda: state(proc.pid) == "T" and state(child) == "T", timeout=1.5)
        proc.send_signal(signal.SIGCONT)
        assert wait_for(lambda: state(proc.pid) != "T" and state(child) != "T")
        proc.terminate()
        assert proc.wait(timeout=5) == -signal.SIGTERM


def test_db1_in_an_orphaned_group_a_job_stop_stops_nothing() -> None:
    """Not from dumb-init: started where the kernel discards job stops (an orphaned process
    group: here a session of its own), exitkit cannot stop, so neither may its command, whose
    own group is not orphaned: it is continued at once."""
    with start("--", "sleep", "30", start_new_session=True) as proc:
        assert wait_for(lambda: len(descendants(proc.pid)) == 1)
        (child,) = descendants(proc.pid)
        proc.send_signal(signal.SIGTSTP)
        time.sleep(0.5)
        assert (state(proc.pid), state(child)) == ("S", "S")
        proc.terminate()
        assert proc.wait(timeout=5) == -signal.SIGTERM


# --- tty_test.py ------------------------------------------------------------------------------


def test_dt1_a_filter_on_a_terminal() -> None:
    output, status = in_pty([EXITKIT, "run", "--", "sh", "-c", "stty -echo -opost; tac"],
                            [b"1\n2\n3\n", b"\x04", b"\x04"], settle=0.3)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert output.endswith(b"3\n2\n1\n"), output


def test_dt2_the_command_gets_the_terminal_and_job_control() -> None:
    output, status = in_pty([EXITKIT, "run", "--", "bash", "--norc", "--noprofile", "-m"],
                            [b'echo "flags are: [[$-]]"\n', b"exit 0\n"])
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, output
    flags = output.rsplit(b"flags are: [[", 1)[1].split(b"]]", 1)[0]  # not the typed line
    assert b"m" in flags
    assert b"no job control" not in output


def test_dt3_hup_on_a_terminal_ends_it_by_hup() -> None:
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        defaults()
        os.execvp(EXITKIT, [EXITKIT, "run", "--", "sleep", "20"])
    try:
        assert wait_for(lambda: len(descendants(pid)) >= 1)
        time.sleep(0.4)
        assert descendants(pid)  # no hand-off signal killed it at start-up
        started = time.monotonic()
        os.kill(pid, signal.SIGHUP)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGHUP
        assert time.monotonic() - started < 5
    finally:
        os.close(fd)


# --- test-zombies -----------------------------------------------------------------------------


def test_dz1_as_pid_1_no_zombie_is_left() -> None:
    script = ("bash -c \"bash -c 'echo i am a zombie' &\" & sleep 1; "
              "n=$(ps -A -o stat= | grep -c '^Z'); echo zombies=$n")
    result = subprocess.run([*in_new_pid_namespace(), EXITKIT, "run", "--", "bash", "-c",
                             script], capture_output=True, text=True, timeout=30,
                            preexec_fn=defaults)
    assert "zombies=0" in result.stdout, result.stdout + result.stderr

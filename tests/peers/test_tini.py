"""tini's own tests, translated to ``exitkit run`` (a container's init, or a wrapper in one).

Source: github:krallin/tini at 369448a1 (v0.19.0-15): ``test/run_inner_tests.py`` (TI),
``test/pdeathsignal/``, ``test/reaping/``, ``test/signals/``, ``test/pgroup/``,
``test/sigconf/``, the smoke tests in ``ci/run_build.sh`` (TS) and ``test/run_outer_tests.py``
(TO). Each test names its case; the behaviour is translated, not the code. tini exits 128+N
where exitkit dies of N (``returncode == -N``), except as PID 1.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import EXITKIT, Tools
from peers import defaults, in_new_pid_namespace, in_pty, run, start
from procs import LINUX_ONLY, alive, children, descendants, wait_for

NOT_PORTED = {
    "TI4, -w": "no option to announce each reaped zombie",
    "TI7, TINI_KILL_PROCESS_GROUP": "exitkit always signals the command's whole group (TI6)",
    "TI8, the 'zombie reaping won't work' warning": "exitkit reaps orphans as PID 1 only, where "
                                                    "they are its children; elsewhere they are "
                                                    "not",
    "TS1, TS5, TS12, TS16, TO7, TO10": "version and licence texts, verbosity, hardening-check, "
                                       "valgrind and distribution packages: nothing of run's",
    "TO6": "stale in tini itself (expects 0, tini exits 1)",
}

PY = sys.executable
#: signals/test.py: TERM, USR1 and USR2 at their defaults, then `sleep 100` through a shell.
SIGNALS_TEST = ("import os, signal\n"
                "for s in (signal.SIGTERM, signal.SIGUSR1, signal.SIGUSR2):\n"
                "    signal.signal(s, signal.SIG_DFL)\n"
                "os.system('sleep 100')\n")


# --- run_inner_tests.py -----------------------------------------------------------------------


@pytest.mark.parametrize("code", [0, 1, 2, 5, 42, 124, 125, 126, 127, 128, 137, 254, 255])
def test_ti1_a_tolerated_code_is_success(code: int) -> None:
    """TI1 (lines 44-59): `tini -e N` remaps N to 0; here --ok N."""
    result = run("--ok", str(code), "--", "sh", "-c", f"exit {code}")
    assert result.returncode == 0
    told = [line for line in result.stderr.splitlines() if "tolerated" in line]
    if code == 0:
        assert told == []
    else:  # "exitkit: sh exited 137 (sigkill); tolerated by --ok": the shell's name for it
        assert len(told) == 1 and told[0].startswith(f"exitkit: sh exited {code}")
        assert told[0].endswith("; tolerated by --ok")


@pytest.mark.parametrize("code", [0, 1, 77, 124, 200, 255])
def test_ti2_every_other_code_tolerated_leaves_this_one(code: int) -> None:
    """TI2 (lines 61-75): every code but N tolerated; N comes through."""
    others = ",".join(part for part in (f"0-{code - 1}" if code > 0 else "",
                                        f"{code + 1}-255" if code < 255 else "") if part)
    result = run("-q", "--ok", others, "--", "sh", "-c", f"exit {code}")
    assert result.returncode == code


@pytest.mark.parametrize("ok", ["143", "sigterm"])
def test_ti2_a_death_by_signal_is_tolerated_by_its_shell_status(ok: str) -> None:
    """TI2 for signal deaths (`tini -e 143`): a command killed by TERM reads as 143, as in the
    shell, so --ok 143 (or its name) tolerates it; without it exitkit dies of TERM."""
    result = run("--ok", ok, "--", "sh", "-c", "kill -TERM $$")
    assert result.returncode == 0
    assert "exited 143 (sigterm); tolerated by --ok" in result.stderr
    assert run("--", "sh", "-c", "kill -TERM $$").returncode == -signal.SIGTERM


def test_ti3_as_pid_1_every_orphan_is_reaped(tmp_path: Path) -> None:
    """TI3 / TO1 (reaping/stage_1.py, stage_2.py): 100 short-lived grandchildren are orphaned to
    PID 1; when the command ends, none is left as a zombie."""
    stage_2 = "for i in $(seq 100); do (sleep 0.$((i % 3 + 1)) &) ; done"
    script = (f"sh -c '{stage_2}'; sleep 1.5; "
              "ps -A -o stat= | grep -c '^Z' || true")
    result = subprocess.run([*in_new_pid_namespace(), EXITKIT, "run", "--", "sh", "-c", script],
                            capture_output=True, text=True, timeout=60, preexec_fn=defaults)
    assert (result.returncode, result.stdout) == (0, "0\n"), result.stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGUSR1, signal.SIGUSR2])
def test_ti5_a_signal_to_exitkit_ends_command_and_grandchildren(signum: int) -> None:
    """TI5 (signals/test.py): TERM, USR1, USR2 reach the command (and its `sleep 100`)."""
    with start("--", PY, "-c", SIGNALS_TEST) as proc:
        assert wait_for(lambda: len(descendants(proc.pid)) >= 2)
        family = descendants(proc.pid)
        proc.send_signal(signum)
        assert proc.wait(timeout=10) == -signum
    assert wait_for(lambda: not any(alive(pid) for pid in family))


def test_ti6_the_whole_group_gets_the_signal() -> None:
    """TI6 (pgroup/stage_1.py): the command ignores USR1 but its `sleep 1000` does not: USR1 to
    exitkit ends the sleep, so the command's wait returns and it exits 0."""
    code = ("import signal, subprocess\n"
            "signal.signal(signal.SIGUSR1, signal.SIG_IGN)\n"
            "p = subprocess.Popen(['sleep', '1000'],"
            " preexec_fn=lambda: signal.signal(signal.SIGUSR1, signal.SIG_DFL))\n"
            "p.wait()\n")
    with start("-q", "--", PY, "-c", code) as proc:
        assert wait_for(lambda: len(descendants(proc.pid)) >= 2)
        time.sleep(0.3)
        proc.send_signal(signal.SIGUSR1)
        assert proc.wait(timeout=10) == 0


@LINUX_ONLY
def test_ti9_the_command_gets_the_ignored_and_blocked_signals_exitkit_got() -> None:
    """TI9 (sigconf/sigconf-test.c): TTOU, SEGV, INT ignored and TTIN, ILL, TERM blocked before
    exitkit starts: the command starts with the same."""
    def configure() -> None:
        defaults()
        for signum in (signal.SIGTTOU, signal.SIGSEGV, signal.SIGINT):
            signal.signal(signum, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTTIN, signal.SIGILL, signal.SIGTERM})

    result = run("--", "cat", "/proc/self/status", preexec_fn=configure)
    fields = dict(line.split(":\t", 1) for line in result.stdout.splitlines() if ":\t" in line)
    ignored, blocked = int(fields["SigIgn"], 16), int(fields["SigBlk"], 16)
    for signum in (signal.SIGTTOU, signal.SIGSEGV, signal.SIGINT):
        assert ignored >> (signum - 1) & 1, signal.Signals(signum).name
    for signum in (signal.SIGTTIN, signal.SIGILL, signal.SIGTERM):
        assert blocked >> (signum - 1) & 1, signal.Signals(signum).name


def test_ti10_the_death_of_exitkits_parent_stops_the_command(tmp_path: Path) -> None:
    """TI10 (pdeathsignal/stage_1.py, stage_2.py): the command kills exitkit's parent; exitkit
    stops the command with --signal (USR1), which writes "ok"."""
    out = tmp_path / "out"
    stage_2 = ("import os, signal, sys, time\n"
               "def handler(*_):\n"
               f"    open({str(out)!r}, 'w').write('ok'); sys.exit(0)\n"
               "signal.signal(signal.SIGUSR1, handler)\n"
               "os.kill(int(sys.argv[1]), signal.SIGKILL)\n"
               "time.sleep(5)\n")
    script = f'exec {EXITKIT} run --signal USR1 -- {PY} -c "$0" $$'
    stage_1 = subprocess.Popen(["sh", "-c", f"{script} & wait", stage_2], preexec_fn=defaults)
    stage_1.wait(timeout=10)
    assert wait_for(lambda: out.exists() and out.read_text() == "ok", timeout=10)


# --- ci/run_build.sh, run_outer_tests.py ------------------------------------------------------


@pytest.mark.parametrize(("case", "args", "status"), [
    ("TS2 no program", [], 125),
    ("TS6", ["--", "true"], 0),
    ("TS7", ["--", "false"], 1),
    ("TS9", ["--", "true"], 0),
    ("TS10 a program named --", ["--", "--", "true"], 127),
    ("TS13", ["--", "foobar123"], 127),
    ("TS14 a directory", ["--", "/etc"], 126),
    ("TO3 unknown option", ["-z", "--", "true"], 125),
    ("TO5", ["--", "zzzz"], 127),
])
def test_smoke(case: str, args: list[str], status: int) -> None:
    result = run(*args)
    assert result.returncode == status, (case, result.stderr)
    if status == 125 and not args:
        assert result.stderr.startswith("exitkit: no command to run\n")  # TS3


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_ts4_help(flag: str) -> None:
    result = run(flag)
    assert (result.returncode, result.stderr) == (0, "")
    assert "--kill-after" in result.stdout  # TS8: the options are documented


def test_ts11_programs_named_like_options_run(tools: Tools) -> None:
    """TS11: copies of `true` called -h and --version run; nothing of exitkit's is printed."""
    for name in ("-h", "--version", "-s"):
        tools(name, "exit 0")
        result = run("--", name, "--foo")
        assert (result.returncode, result.stdout, result.stderr) == (0, "", ""), name


def test_ts15_stdin_reaches_the_command() -> None:
    assert run("--", "sh", input="exit 3\n").returncode == 3


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGUSR1, signal.SIGUSR2])
def test_to2_as_pid_1_a_signal_death_is_128_plus_n(signum: int) -> None:
    """TO2 (outer tests, `docker kill -s`): PID 1 cannot die of its own signal: it exits 128+N."""
    with subprocess.Popen([*in_new_pid_namespace(), EXITKIT, "run", "--", PY, "-c", SIGNALS_TEST],
                          preexec_fn=defaults, stderr=subprocess.DEVNULL) as proc:
        # unshare → exitkit (PID 1 in there) → python → sh → sleep
        assert wait_for(lambda: len(descendants(proc.pid)) >= 4)
        (init,) = children(proc.pid)
        time.sleep(0.3)
        os.kill(init, signum)
        assert proc.wait(timeout=10) == 128 + signum


def test_to8_a_shell_in_a_terminal_is_usable() -> None:
    """TO8 (tty): `exitkit run -- dash` on a terminal, type `exit 0`."""
    output, status = in_pty([EXITKIT, "run", "--", "dash"], [b"exit 0\n"])
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, output


def test_to9_ctrl_c_on_the_terminal_ends_it_by_sigint() -> None:
    """TO9 (tty): a loop under exitkit, Ctrl-C: exitkit ends by SIGINT (a shell reads 130)."""
    output, status = in_pty([EXITKIT, "run", "--", "dash", "-c",
                             "while true; do echo tick; sleep 0.1; done"], [b"\x03"])
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGINT, output
    assert b"tick" in output

"""GNU coreutils ``timeout``'s own test suite, translated to ``exitkit run``.

Source: github:coreutils/coreutils, ``tests/timeout/`` at aa0c0de3 (v9.11-230): ``timeout.sh``
(T), ``timeout-parameters.sh`` (P), ``timeout-large-parameters.sh`` (L), ``timeout-group.sh``
(G), ``init-parent.sh`` (I) and ``timeout-blocked.pl`` (B). Each test names its case and line;
the behaviour is translated, not the code. Where exitkit deliberately differs, NOT_PORTED says
why, and docs/comparison.md says it to users.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import EXITKIT, Tools
from peers import defaults, in_new_pid_namespace, run, start
from procs import alive, descendants, wait_for

#: Cases not ported, and why.
NOT_PORTED = {
    "timeout.sh T6 (line 38)": "--preserve-status: exitkit always gives 124 on a timeout, so a "
                               "caller can tell a timeout from the command's own status",
    "timeout.sh T8 (line 47)": "--foreground: exitkit always gives the command the terminal's "
                               "foreground in a group of its own (see docs/run.md)",
    "timeout.sh T11 (line 68)": "-v/--verbose: exitkit reports on stderr by default (-q "
                                "silences it); the line is tested in T7",
    "timeout-parameters.sh, -s 0": "signal 0 is no signal to stop a command with: --signal 0 "
                                   "is refused (125); tested below",
}


# --- timeout.sh -------------------------------------------------------------------------------


@pytest.mark.parametrize(("case", "args", "status"), [
    ("T1 line 23", ["--timeout", "10", "--", "true"], 0),
    ("T2 line 26", ["--timeout", "1d", "--", "true"], 0),
    ("T3 line 29", ["--timeout", "0", "--", "true"], 0),
    ("T3 (0 disables)", ["--timeout", "0", "--", "sleep", "0.3"], 0),
    ("T4 line 32", ["-q", "--timeout", "10", "--", "sh", "-c", "exit 2"], 2),
])
def test_basic_statuses(case: str, args: list[str], status: int) -> None:
    assert run(*args).returncode == status, case


def test_t5_a_timeout_is_124_at_once() -> None:
    started = time.monotonic()
    assert run("--timeout", ".1", "--", "sleep", "10").returncode == 124
    assert time.monotonic() - started < 2


def test_t7_kill_after_a_timeout_still_124_and_nothing_left(tmp_path: Path) -> None:
    """T7 (line 42): GNU sends -s0 then KILL and dies of the group KILL (137). exitkit refuses
    signal 0, so the command ignores TERM instead; the status stays 124 (exitkit's rule)."""
    pid_file = tmp_path / "pid"
    started = time.monotonic()
    result = run("--timeout", ".1", "--kill-after", "1", "--", "sh", "-c",
                 f"trap '' TERM; echo $$ > {pid_file}; sleep 10")
    elapsed = time.monotonic() - started
    assert result.returncode == 124
    assert 1.0 <= elapsed < 4
    assert not alive(int(pid_file.read_text()))
    assert result.stderr == "exitkit: sh stopped: timed out after 0.1s; exiting 124\n"
    assert run("--signal", "0", "--timeout", "1", "--", "true").returncode == 125


def test_t9_an_ignored_sigchld_does_not_hang_it() -> None:
    """T9 (line 50): the caller ignored SIGCHLD; exitkit must still see its child end."""
    def ignore_chld() -> None:
        defaults()
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)

    started = time.monotonic()
    assert run("--timeout", "10", "--", "true", preexec_fn=ignore_chld).returncode == 0
    assert time.monotonic() - started < 5


def test_t10_a_child_it_did_not_start_is_not_mistaken_for_the_command() -> None:
    """T10 (line 58): the process that becomes exitkit already has a child, which ends first."""
    script = (f"out=$(sleep .1 & exec {EXITKIT} run --timeout .5 -- sh -c 'sleep 2; echo foo'); "
              'echo "status=$? out=$out"')
    result = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=30,
                            preexec_fn=defaults)
    assert result.stdout == "status=124 out=\n"


def test_t12_a_closed_pipe_on_its_own_stderr_does_not_change_124(tmp_path: Path) -> None:
    """T12 (line 79): exitkit's line goes into a pipe nobody reads: still 124, no sleep left."""
    status = tmp_path / "status"
    script = (f"{{ {EXITKIT} run --timeout .1 -- sleep 10 2>&1; echo $? > {status}; }} | :")
    subprocess.run(["sh", "-c", script], timeout=30, preexec_fn=defaults)
    assert wait_for(status.exists)
    assert wait_for(lambda: status.read_text() == "124\n")


def test_t13_an_ignored_sigpipe_is_not_passed_on_a_documented_difference() -> None:
    """T13 (line 86): GNU passes an ignored SIGPIPE on, so `yes` reports "Broken pipe". CPython
    ignores SIGPIPE itself before exitkit runs, so exitkit cannot know what its caller had:
    the command starts with SIGPIPE at its default and ends by it (docs/comparison.md)."""
    result = subprocess.run(["sh", "-c", f"trap '' PIPE; {EXITKIT} run -q -- yes | :"],
                            capture_output=True, text=True, timeout=30, preexec_fn=defaults)
    assert (result.returncode, result.stderr) == (0, "")  # `yes` ended by SIGPIPE, silently


# --- timeout-parameters.sh --------------------------------------------------------------------


@pytest.mark.parametrize(("case", "args", "status"), [
    ("P1 line 27", ["--timeout", "invalid", "--", "sleep", "0"], 125),
    ("P2 line 28", ["--timeout", " -0.1", "--", "sleep", "0"], 125),
    ("P3 line 29", ["--timeout", " -1e-10000", "--", "sleep", "0"], 125),
    ("P4 line 32", ["--kill-after=invalid", "--timeout", "1", "--", "sleep", "0"], 125),
    ("P4 (separate value)", ["--kill-after", "invalid", "--timeout", "1", "--", "sleep", "0"],
     125),
    ("P5 line 35", ["--timeout", "42D", "--", "sleep", "0"], 125),
    ("P6 line 38", ["--timeout", "10.34", "--", "sleep", "0"], 0),
    ("P7 line 41", ["--timeout", "9.999999999", "--", "sleep", "0"], 0),
    ("P8 line 44", ["--timeout", "1e-10000", "--", "sleep", "10"], 124),
    ("P9 line 47", ["--signal=invalid", "--timeout", "1", "--", "sleep", "0"], 125),
    ("P11 line 53", ["--timeout", "10", "--", "no_such"], 127),
    ("source: + sign", ["--timeout", "+5", "--", "true"], 0),
    ("source: hexadecimal", ["--timeout", "0x10", "--", "true"], 0),
    ("source: nan", ["--timeout", "nan", "--", "true"], 125),
    ("source: -0 disables", ["--timeout", "-0", "--", "sleep", "0.3"], 0),
    ("source: trailing space", ["--timeout", "1s ", "--", "true"], 125),
    ("source: underscores", ["--timeout", "1_000", "--", "true"], 125),
])
def test_parameters(case: str, args: list[str], status: int) -> None:
    started = time.monotonic()
    assert run(*args).returncode == status, case
    assert time.monotonic() - started < 5  # P8: the underflow times out at once, not never


def test_p10_a_directory_found_on_path_is_126_as_for_env() -> None:
    """P10 (line 50), with its precondition: `env .` gives 126 here."""
    if subprocess.run(["env", "."], capture_output=True).returncode != 126:
        pytest.skip("env . is not 126 on this system")
    assert run("--timeout", "10", "--", ".").returncode == 126


# --- timeout-large-parameters.sh --------------------------------------------------------------


def test_l0_a_huge_timeout_does_not_fire_early() -> None:
    """L0 (line 24): 2**63 seconds must not overflow into an immediate timeout."""
    started = time.monotonic()
    assert run("--timeout", "9223372036854775808", "--", "sleep", "1").returncode == 0
    assert time.monotonic() - started >= 1


@pytest.mark.parametrize(("case", "duration", "status"), [
    ("L1 line 33", "4294967296", 0),
    ("L2 line 36", "9223372036854775808d", 0),
    ("L3 line 39", "2.34e+5d", 0),
    ("L4 line 42", "1.18973149535723176502e+4932", 0),
    ("L4 (inf)", "inf", 0),
    ("L4 (400 digits)", "1" * 400, 0),
    ("L5 line 44", "-1.18973149535723176502e+4932", 125),
])
def test_large_parameters(case: str, duration: str, status: int) -> None:
    for option in ("--timeout", "--kill-after"):
        assert run(f"{option}={duration}", "--", "sleep", "0").returncode == status, case


# --- timeout-group.sh -------------------------------------------------------------------------


def group_cmd(tools: Tools, tmp_path: Path) -> Path:
    """The suite's timeout.cmd: USR1 makes it write sig.received and exit; it says it runs."""
    return tools("timeout.cmd", f"trap 'touch {tmp_path}/sig.received; exit' USR1\n"
                                f"touch {tmp_path}/timeout.running\n"
                                "i=0; while [ $i -lt $1 ] && [ ! -e sig.received ]; do "
                                "sleep 0.1; i=$((i+1)); done")


def test_g1_a_signal_to_the_whole_group_reaches_the_command(tools: Tools, tmp_path: Path) -> None:
    """G1 (line 33): USR1 sent to the session's group (like Ctrl-C to a foreground job) reaches
    the command, and everything ends promptly."""
    cmd = group_cmd(tools, tmp_path)
    # group.sh ignores USR1 so that its `wait` is not interrupted; env gives it back to exitkit
    with subprocess.Popen(["sh", "-c", f"trap '' USR1; env --default-signal=USR1 {EXITKIT} run "
                                       f"--timeout 25 -- {cmd} 200 & wait"],
                          start_new_session=True) as proc:
        assert wait_for((tmp_path / "timeout.running").exists)
        os.killpg(proc.pid, signal.SIGUSR1)
        assert proc.wait(timeout=6) is not None
    assert (tmp_path / "sig.received").exists()


def test_g2_killing_exitkit_gives_the_command_its_signal(tools: Tools, tmp_path: Path) -> None:
    """G2 (line 100): the parent-death signal is --signal (Linux)."""
    cmd = group_cmd(tools, tmp_path)
    with start("--timeout", "25", "--signal", "USR1", "--", str(cmd), "200") as proc:
        assert wait_for((tmp_path / "timeout.running").exists)
        proc.kill()
        proc.wait(timeout=5)
        assert wait_for((tmp_path / "sig.received").exists, timeout=6)


def test_g3_alarm_to_the_outer_of_two_cascades_the_timeout(tools: Tools, tmp_path: Path) -> None:
    """G3 (line 113): ALRM means "time is up" (outer → ALRM to the inner → USR1 to the command);
    the outer exits 124."""
    cmd = group_cmd(tools, tmp_path)
    started = time.monotonic()
    with start("--timeout", "30", "--signal", "ALRM", "--", EXITKIT, "run", "--timeout", "25",
               "--signal", "USR1", "--", str(cmd), "200") as proc:
        assert wait_for((tmp_path / "timeout.running").exists)
        proc.send_signal(signal.SIGALRM)
        assert proc.wait(timeout=10) == 124
    assert (tmp_path / "sig.received").exists()
    assert time.monotonic() - started < 15


# --- init-parent.sh, timeout-blocked.pl -------------------------------------------------------


def test_i1_as_pid_1_and_as_a_child_of_pid_1_the_timeout_still_works() -> None:
    """I1 (line 22): exitkit as PID 1 of a namespace; and exitkit whose parent is PID 1 must not
    take that for its parent's death."""
    unshare = in_new_pid_namespace()
    as_init = subprocess.run([*unshare, EXITKIT, "run", "--timeout", ".1", "--", "sleep", "10"],
                             capture_output=True, timeout=30, preexec_fn=defaults)
    assert as_init.returncode == 124
    below = subprocess.run([*unshare, "sh", "-c",
                            f"{EXITKIT} run --timeout .5 -- sleep 0.2; echo status=$?"],
                           capture_output=True, text=True, timeout=30, preexec_fn=defaults)
    assert below.stdout == "status=0\n"


@pytest.mark.parametrize("blocked", [{signal.SIGALRM}, {signal.SIGALRM, signal.SIGCHLD}])
def test_b1_a_blocked_alarm_or_child_signal_is_no_obstacle(blocked: set[int]) -> None:
    """timeout-blocked.pl block-alrm: the caller's mask blocks ALRM (and CHLD)."""
    def block() -> None:
        defaults()
        signal.pthread_sigmask(signal.SIG_BLOCK, blocked)

    started = time.monotonic()
    assert run("--timeout", ".1", "--", "sleep", "10", preexec_fn=block).returncode == 124
    assert time.monotonic() - started < 3


def test_nothing_is_left_running_after_a_timeout(tmp_path: Path) -> None:
    """The group is stopped as a whole (timeout-group.sh's premise)."""
    with start("--timeout", ".5", "--", "sh", "-c", "sleep 30 & sleep 30 & wait") as proc:
        assert wait_for(lambda: len(descendants(proc.pid)) >= 3)
        family = descendants(proc.pid)
        assert proc.wait(timeout=10) == 124
    assert wait_for(lambda: not any(alive(pid) for pid in family))

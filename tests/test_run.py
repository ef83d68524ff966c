"""`exitkit run` through the real console script, with real children."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import time
from pathlib import Path

import pytest

import procs
from conftest import EXITKIT, Tools, run_exitkit, shell_status, unprivileged
from procs import defaults, descendants, wait_for


@pytest.mark.parametrize("code", [0, 1, 2, 5, 42, 123, 124, 125, 126, 127, 128, 200, 254, 255])
def test_child_exit_codes_pass_through_unchanged(code: int) -> None:
    assert run_exitkit("run", "--", "sh", "-c", f"exit {code}").returncode == code


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL, signal.SIGINT, signal.SIGSEGV])
def test_signal_death_reads_128_plus_n_in_the_calling_shell(sig: int) -> None:
    status = shell_status(f"{EXITKIT} run -- sh -c 'kill -{int(sig)} $$'")
    assert status == 128 + int(sig)


def test_own_errors_are_125_and_command_problems_126_127(tmp_path: Path) -> None:
    plain = tmp_path / "plain.sh"
    plain.write_text("echo hi\n")
    assert run_exitkit("run", "--", "no-such-command-xyz").returncode == 127
    assert run_exitkit("run", "--", str(plain)).returncode == 126
    assert run_exitkit("run", "--", str(tmp_path)).returncode == 126
    for args in (["--bogus", "--", "true"], ["--timeout", "soon", "--", "true"],
                 ["--retries", "x", "--", "true"], ["-c", "nosuch", "--", "true"],
                 ["-c", "proxxx", "--ok", "no-such-name", "--", "true"],
                 ["--signal", "FOO", "--", "true"],
                 [], ["--timeout"]):
        result = run_exitkit("run", *args)
        assert result.returncode == 125, (args, result.stderr)
        assert result.stderr.startswith("exitkit: ")
        assert "Traceback" not in result.stderr


def test_ok_by_name_follows_each_tools_own_number(tools: Tools) -> None:
    for name, code in [("proxxx", 5), ("rune", 4), ("bcdock", 5), ("raid", 5)]:
        tools.exits(name, code)
        result = run_exitkit("run", "--ok", "not-found", "--", name, "delete")
        assert result.returncode == 0, result.stderr
        assert f"{name} exited {code} (not-found); tolerated by --ok" in result.stderr


def test_ok_does_not_tolerate_other_failures(tools: Tools) -> None:
    tools("proxxx", "echo out; echo err >&2; exit 4")
    result = run_exitkit("run", "--ok", "not-found", "--", "proxxx")
    assert result.returncode == 4
    assert result.stdout == "out\n"
    assert result.stderr.startswith("err\n")
    assert "proxxx exited 4 (auth)" in result.stderr


@pytest.mark.parametrize(("ok", "code", "expected"), [
    ("5", 5, 0), ("3-7", 6, 0), ("3-7", 8, 8), ("auth,not-found", 4, 0), ("transient", 7, 0),
    ("1", 2, 2),
])
def test_ok_accepts_codes_ranges_names_and_kinds(ok: str, code: int, expected: int) -> None:
    result = run_exitkit("run", "-c", "proxxx", "--ok", ok, "--", "sh", "-c", f"exit {code}")
    assert result.returncode == expected


def test_ok_without_a_contract_uses_shell_conventions() -> None:
    assert run_exitkit("run", "--ok", "sigpipe", "--", "sh", "-c", "kill -PIPE $$").returncode == 0


def test_quiet_silences_exitkit_but_not_the_child() -> None:
    result = run_exitkit("run", "-q", "-c", "proxxx", "--ok", "5", "--", "sh", "-c",
                         "echo child >&2; exit 5")
    assert result.returncode == 0
    assert result.stderr == "child\n"


def test_timeout_exits_124_and_says_why() -> None:
    start = time.monotonic()
    result = run_exitkit("run", "--timeout", "0.3s", "--", "sleep", "30")
    assert result.returncode == 124
    assert time.monotonic() - start < 10
    assert "timed out after 0.3s" in result.stderr


def test_retries_follow_the_contracts_retryable_codes(tools: Tools, tmp_path: Path) -> None:
    state = tmp_path / "attempts"
    tools("proxxx",
         f'echo x >> "{state}"; n=$(wc -l < "{state}"); [ "$n" -ge 3 ] && exit 0; exit 7')
    result = run_exitkit("run", "--retries", "5", "--backoff", "10ms", "--", "proxxx")
    assert result.returncode == 0, result.stderr
    assert len(state.read_text().splitlines()) == 3
    assert result.stderr.count("retrying in") == 2
    assert "attempt 2 of 6" in result.stderr


def test_retries_stop_on_a_non_retryable_code(tools: Tools, tmp_path: Path) -> None:
    state = tmp_path / "attempts"
    tools("proxxx", f'echo x >> "{state}"; exit 5')
    result = run_exitkit("run", "--retries", "3", "--backoff", "10ms", "--", "proxxx")
    assert result.returncode == 5
    assert len(state.read_text().splitlines()) == 1


def test_retries_run_out_and_never_sleep_after_the_last_attempt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Full jitter makes durations random, so count the backoff sleeps themselves, around real
    # children run by the real Runner.
    from exitkit.run.options import parse_args
    from exitkit.run.policy import CodeSet
    from exitkit.run.runner import Runner

    state = tmp_path / "attempts"
    opts = parse_args(["--retries", "2", "--backoff", "0.01", "-q", "--", "sh", "-c",
                       f'echo x >> "{state}"; exit 3'])
    assert opts is not None
    sleeps: list[float] = []

    def record(self: Runner, delay: float) -> bool:
        sleeps.append(delay)
        return True

    monkeypatch.setattr(Runner, "sleep", record)
    result = Runner(opts, None, CodeSet(), set(range(1, 124))).run()
    assert (result.status, result.exit_code, result.attempts, result.outcome) == (
        3, 3, 3, "failure")
    assert len(state.read_text().splitlines()) == 3
    assert len(sleeps) == 2  # between attempts 1-2 and 2-3, none after the last


def test_retries_run_out_with_one_line_per_retry(tmp_path: Path) -> None:
    state = tmp_path / "attempts"
    report = tmp_path / "report.json"
    result = run_exitkit("run", "--retries", "2", "--backoff", "0.05", "--report", str(report),
                         "--", "sh", "-c", f'echo x >> "{state}"; exit 3')
    assert result.returncode == 3
    assert len(state.read_text().splitlines()) == 3
    assert json.loads(report.read_text())["attempts"] == 3
    assert result.stderr.count("retrying in") == 2


def test_retry_on_overrides_and_timeouts_are_retried_only_by_number(tmp_path: Path) -> None:
    state = tmp_path / "attempts"
    body = f'echo x >> "{state}"; sleep 5'
    result = run_exitkit("run", "--timeout", "0.2", "--retries", "2", "--", "sh", "-c", body)
    assert result.returncode == 124
    assert len(state.read_text().splitlines()) == 1
    state.unlink()
    result = run_exitkit("run", "--timeout", "0.2", "--retries", "2", "--retry-on", "124",
                         "--backoff", "10ms", "--", "sh", "-c", body)
    assert result.returncode == 124
    assert len(state.read_text().splitlines()) == 3


def test_report_file_holds_the_whole_story(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    result = run_exitkit("run", "-c", "proxxx", "--ok", "not-found", "--report", str(report),
                         "--", "sh", "-c", "exit 5")
    assert result.returncode == 0
    data = json.loads(report.read_text())
    assert data == data | {
        "argv": ["sh", "-c", "exit 5"], "contract": "proxxx", "exit_code": 0,
        "raw_exit_code": 5, "name": "not-found", "kind": "not-found",
        "meaning": "Resource not found", "signal": None, "timed_out": False, "attempts": 1,
        "outcome": "tolerated",
    }
    run_exitkit("run", "--timeout", "0.2", "--report", str(report), "--", "sleep", "10")
    data = json.loads(report.read_text())
    assert data["outcome"] == "timeout" and data["exit_code"] == 124 and data["timed_out"]
    shell_status(f"{EXITKIT} run --report {report} -- sh -c 'kill -TERM $$'")
    data = json.loads(report.read_text())
    assert data["outcome"] == "signal" and data["signal"] == "SIGTERM"
    assert data["exit_code"] == 143


def test_child_output_is_not_lost_or_reordered() -> None:
    result = run_exitkit("run", "--", "sh", "-c",
                         "i=0; while [ $i -lt 2000 ]; do echo line$i; i=$((i+1)); done; exit 1")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [f"line{i}" for i in range(2000)]


def test_stdin_reaches_the_child() -> None:
    result = run_exitkit("run", "--", "cat", input="hello\n")
    assert result.stdout == "hello\n"


def test_help_lists_options_and_exits_0() -> None:
    result = run_exitkit("run", "--help")
    assert result.returncode == 0
    for option in ("--ok", "--timeout", "--kill-after", "--retries", "--report", "--github"):
        assert option in result.stdout


def test_a_stop_signal_sent_to_exitkit_is_never_followed_by_a_retry(tmp_path: Path) -> None:
    state = tmp_path / "attempts"
    proc = subprocess.Popen(
        [EXITKIT, "run", "--retries", "3", "--backoff", "0", "--", "sh", "-c",
         f'echo x >> "{state}"; trap "exit 1" TERM; sleep 30 & wait'],
        stderr=subprocess.PIPE, text=True, preexec_fn=defaults)

    # the trap is set once the shell waits for its sleep: a TERM before that would find no trap,
    # and a sleep started after it would hold stderr open for 30 s
    assert wait_for(lambda: state.exists() and any(
        (procs.argv(pid) or [""])[0].endswith("sleep") for pid in descendants(proc.pid)))
    time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 1  # the child's own answer to TERM, not a success after a retry
    assert "retrying" not in err
    assert len(state.read_text().splitlines()) == 1


def _gone(pid: int) -> bool:
    """True once *pid* has exited (a zombie waiting for init counts as gone)."""
    from procs import alive

    return not alive(pid)


def test_no_attempt_starts_after_the_calling_shell_died_during_backoff(tmp_path: Path) -> None:
    import re

    state, pidfile = tmp_path / "attempts", tmp_path / "exitkit.pid"
    step = tmp_path / "step.sh"
    step.write_text(f"{EXITKIT} run --retries 3 --backoff 10 --max-backoff 10 -- sh -c "
                    f"'echo $PPID > \"{pidfile}\"; echo x >> \"{state}\"; exit 1'\n")
    # Full jitter may pick a delay too short to kill the shell inside it: then try again.
    for _ in range(5):
        state.unlink(missing_ok=True)
        with subprocess.Popen(["bash", "-e", str(step)], stderr=subprocess.PIPE,
                              text=True) as shell:
            assert shell.stderr is not None
            announced = re.search(r"retrying in ([0-9.]+)s", shell.stderr.readline())
            assert announced, "exitkit did not announce a retry"
            exitkit_pid = int(pidfile.read_text())
            if float(announced.group(1)) < 1.5:
                shell.kill()
                os.kill(exitkit_pid, signal.SIGKILL)
                continue
            shell.send_signal(signal.SIGTERM)  # exitkit is now in its backoff sleep
        deadline = time.monotonic() + 3
        while not _gone(exitkit_pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _gone(exitkit_pid), "exitkit slept on after its shell died"
        assert len(state.read_text().splitlines()) == 1
        return
    pytest.fail("five backoff delays in a row were under 1.5 s")


def test_a_non_utf8_argument_is_reported_escaped_and_keeps_the_childs_status(
    tmp_path: Path,
) -> None:
    report, out = tmp_path / "r.json", tmp_path / "out"
    out.touch()
    argv = [EXITKIT, "run", "--report", str(report), "--github", "--", "sh", "-c", "exit 3",
            os.fsdecode(b"\xff")]
    result = subprocess.run(argv, capture_output=True, env=os.environ | {"GITHUB_OUTPUT": str(out)})
    assert result.returncode == 3, result.stderr
    assert json.loads(report.read_text())["argv"] == ["sh", "-c", "exit 3", "\\xff"]
    assert out.read_text() == "exit-code=3\nraw-exit-code=3\nexit-name=\noutcome=failure\n"
    assert result.stderr == (b"\n::error title=sh exited 3::sh -c 'exit 3' $'\\xff' exited 3\n")


def test_a_closed_or_full_stderr_does_not_change_the_status() -> None:
    closed = shell_status(f"{EXITKIT} run --ok 3 -- sh -c 'exit 3' 2>&-")
    assert closed == 0
    if os.path.exists("/dev/full"):  # (macOS has none)
        full = shell_status(f"{EXITKIT} run -- sh -c 'exit 2' 2>/dev/full")
        assert full == 2


def test_ok_by_name_never_tolerates_exitkits_own_timeout() -> None:
    result = run_exitkit("run", "-c", "bcdock", "--ok", "wait-timeout", "--timeout", "0.2",
                         "--", "sleep", "5")
    assert result.returncode == 124
    assert run_exitkit("run", "--ok", "124", "--timeout", "0.2", "--", "sleep", "5").returncode == 0


@pytest.mark.parametrize(("by_name", "by_number", "argv", "status"), [
    ("timeout", "124", ["--timeout", "0.2", "--", "sleep", "5"], 124),
    ("command-not-found", "127", ["--", "no-such-command-xyz"], 127),
    ("signal", "130", ["--", "sh", "-c", "kill -INT $$"], 130),
])
def test_retry_on_by_name_never_selects_timeouts_missing_commands_or_stop_signals(
    by_name: str, by_number: str, argv: list[str], status: int, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    for retry_on, attempts in ((by_name, 1), (by_number, 3)):
        run = f"{EXITKIT} run --retries 2 --backoff 0 --retry-on {retry_on} " \
              f"--report {report} {shlex.join(argv)}"
        assert shell_status(run) == status
        assert json.loads(report.read_text())["attempts"] == attempts, retry_on


@pytest.mark.parametrize("args", [
    ["--ok", "²"], ["--retries", "²"], ["--retries", "9" * 5000], ["--ok", "9" * 5000],
])
def test_odd_numbers_are_clean_usage_errors(args: list[str]) -> None:
    result = run_exitkit("run", *args, "--", "false")
    assert result.returncode == 125
    assert "Traceback" not in result.stderr


def test_backoff_of_a_very_late_attempt_does_not_overflow() -> None:
    from exitkit.run.options import parse_args
    from exitkit.run.policy import CodeSet
    from exitkit.run.runner import Runner

    opts = parse_args(["--backoff", "1", "--max-backoff", "3", "--", "true"])
    assert opts is not None
    assert 0 <= Runner(opts, None, CodeSet(), set()).delay(5000) <= 3


def test_a_command_the_user_may_not_execute_is_126(public_dir: Path) -> None:
    private = Tools.script(public_dir / "private-tool", "#!/bin/sh\nexit 0\n", 0o700)
    for argv in ([str(private)], ["private-tool"]):
        env = dict(os.environ, PATH=f"{public_dir}:/usr/bin:/bin")
        result = subprocess.run(unprivileged([EXITKIT, "run", "--", *argv]), capture_output=True,
                                text=True, env=env, timeout=60)
        assert result.returncode == 126, result.stderr
        assert result.stderr == f"exitkit: {private}: Permission denied\n"

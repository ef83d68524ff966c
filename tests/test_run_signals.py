"""exitkit run under signals, start-up races and as PID 1, through the real console script.

Race tests run a few hundred times with the signal sent at a random moment; one lucky run proves
nothing. Every child is started with INT, QUIT and TERM at their defaults (a test run from a
background job would otherwise inherit them ignored).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

import procs
from conftest import EXITKIT, IN_CI, Tools, run_exitkit
from exitkit.run.relay import FULL_STDERR_GRACE
from procs import LINUX_ONLY, NEEDS_DEV_FULL, STOPS, defaults, wait_for


def start(*args: str, **kwargs: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen([EXITKIT, "run", *args], stderr=subprocess.PIPE,
                            preexec_fn=defaults, **kwargs)  # type: ignore[call-overload]


def lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def holds_signals(pid: int) -> bool:
    """Whether exitkit's first line has run in *pid* (Linux /proc): INT is blocked (held until the
    relay is in place) or TERM is caught (the relay is in place; Python itself catches INT but
    never TERM). Its command line must be exitkit's: between fork and exec, the child of a Popen
    is still a copy of pytest, with every signal blocked for a moment."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        status = dict(line.split(":\t", 1) for line in
                      Path(f"/proc/{pid}/status").read_text().splitlines() if ":\t" in line)
    except OSError:
        return True  # gone already: nothing to wait for
    if len(argv) < 2 or not argv[1].endswith(b"exitkit"):
        return False
    blocked, caught = int(status["SigBlk"], 16), int(status["SigCgt"], 16)
    return bool(blocked >> (signal.SIGINT - 1) & 1 or caught >> (signal.SIGTERM - 1) & 1)


# --- stop signals: never lost, never ignored -----------------------------------------------------


@pytest.mark.parametrize("signum", STOPS, ids=lambda s: signal.Signals(s).name)
def test_a_stop_signal_during_a_backoff_ends_the_run_by_that_signal(signum: int,
                                                                     tmp_path: Path) -> None:
    state = tmp_path / "attempts"
    for _ in range(5):  # full jitter may draw a delay too short to signal inside it: again
        with start("--retries", "5", "--backoff", "30", "--max-backoff", "30", "--", "sh", "-c",
                   f'echo x >> "{state}"; exit 1') as proc:
            assert proc.stderr is not None
            retry = proc.stderr.readline()
            assert b"retrying in" in retry, retry
            if float(retry.split(b"retrying in ")[1].split(b"s ")[0]) < 1:
                proc.kill()
                state.unlink()
                continue
            proc.send_signal(signum)
            rest = proc.stderr.read()
            assert proc.wait(timeout=10) == -signum  # died of it, as without exitkit
            break
    else:
        pytest.fail("five delays in a row were under a second")
    name = signal.Signals(signum).name
    assert rest == (f"exitkit: {name} received; sh: no further attempt; exiting "
                    f"{128 + signum}\n").encode()
    assert lines(state) == 1


def full_pipe() -> tuple[int, int]:
    """A pipe whose buffer is full: a write to it waits for a reader."""
    import fcntl

    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETFL, os.O_NONBLOCK)
    try:
        while True:
            os.write(write_end, b"x" * 4096)
    except BlockingIOError:
        pass
    fcntl.fcntl(write_end, fcntl.F_SETFL, 0)
    return read_end, write_end


@pytest.mark.parametrize("args", [[], ["--ok", "1"], ["--timeout", "0.2"]],
                         ids=["failure", "tolerated", "timeout"])
def test_a_stop_signal_ends_exitkit_waiting_on_a_full_stderr(args: list[str],
                                                             tmp_path: Path) -> None:
    """The run is over and exitkit waits for room for its last line on a stderr nobody reads:
    TERM still ends it, by TERM."""
    mark = tmp_path / "ran"
    read_end, write_end = full_pipe()
    proc = subprocess.Popen([EXITKIT, "run", *args, "--", "sh", "-c",
                             f': > "{mark}"; sleep 0.5; exit 1'], stderr=write_end,
                            preexec_fn=defaults)
    os.close(write_end)
    try:
        assert wait_for(lambda: mark.exists() and not procs.children(proc.pid))
        time.sleep(0.3)
        assert proc.poll() is None  # waiting for room
        proc.send_signal(signal.SIGTERM)
        assert wait_for(lambda: proc.poll() is not None, timeout=5), "TERM did not end it"
        assert proc.returncode == -signal.SIGTERM
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(read_end)  # the reader goes: nothing waits on the pipe any more
        proc.wait(timeout=10)


@pytest.mark.parametrize(("args", "script", "status"), [
    (["--timeout", "0.5"], "echo more >&2; sleep 30", 124),
    (["--as", "kubectl delete pod x", "--ok", "not-found", "--timeout", "0.5"],
     "echo Error from server >&2; sleep 30", 124),
    (["--max-time", "1", "--retries", "5", "--backoff", "0.1"], "exit 1", 1),
], ids=["own line after --timeout", "relayed bytes after --timeout", "retry line, --max-time"])
def test_a_run_with_a_deadline_ends_although_its_stderr_is_full_and_never_read(
        args: list[str], script: str, status: int) -> None:
    """GNU timeout ends at its deadline, whatever becomes of stderr. exitkit's own lines, and the
    last bytes it relays for the command, wait for room on a full stderr nobody reads at most
    FULL_STDERR_GRACE seconds past the deadline; then they are dropped and the run ends."""
    read_end, write_end = full_pipe()
    proc = subprocess.Popen([EXITKIT, "run", *args, "--", "sh", "-c", script],
                            stderr=write_end, preexec_fn=defaults)
    os.close(write_end)
    try:
        try:
            proc.wait(timeout=FULL_STDERR_GRACE + 20)
        except subprocess.TimeoutExpired:
            pytest.fail("exitkit kept waiting for room on its stderr")
        assert proc.returncode == status
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(read_end)
        proc.wait(timeout=10)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_stop_signal_forwarded_to_a_stopped_command_continues_it(signum: int,
                                                                     tmp_path: Path) -> None:
    """Found by review: a command stopped (SIGSTOP, no terminal to notice it) got the TERM sent
    to exitkit but, stopped, never acted on it, and exitkit waited for ever. GNU timeout sends
    CONT after every signal it passes on; so does exitkit after a stop signal."""
    mark = tmp_path / "stopping"
    proc = subprocess.Popen([EXITKIT, "run", "--", "sh", "-c",
                             f': > "{mark}"; kill -s STOP $$; exit 7'],
                            stderr=subprocess.PIPE, preexec_fn=defaults)
    try:
        assert wait_for(lambda: mark.exists() and any(
            procs.state(pid) == "T" for pid in procs.children(proc.pid)))
        proc.send_signal(signum)
        assert procs.ends_within(proc, 20, "the stopped command never acted on the forwarded "
                                 "signal") == -signum
    finally:
        procs.clear_away(proc)


def test_a_stop_signal_reaches_a_stopped_grandchild_too(tmp_path: Path) -> None:
    """Found by review: only a stopped group leader got CONT; a stopped process further down the
    group kept its TERM pending and exitkit waited for ever. The group gets CONT, as from GNU
    timeout."""
    mark = tmp_path / "stopping"
    inner = f': > "{mark}"; trap "exit 7" TERM; kill -s STOP $$; sleep 30'
    script = f"trap 'wait $pid; exit $?' TERM; sh -c '{inner}' & pid=$!; wait $pid"
    proc = subprocess.Popen([EXITKIT, "run", "--", "sh", "-c", script], preexec_fn=defaults)
    try:
        assert wait_for(lambda: mark.exists() and any(
            procs.state(pid) == "T" for pid in procs.descendants(proc.pid)))
        proc.send_signal(signal.SIGTERM)
        assert procs.ends_within(proc, 20, "the stopped grandchild never acted on the forwarded "
                                 "TERM") == 7
    finally:
        procs.clear_away(proc)


def test_a_stop_signal_right_after_a_stop_is_acted_on(tmp_path: Path) -> None:
    """Found by review (2 to 13 runs in 100 hung): STOP sent to the command an instant before
    TERM reaches exitkit was not yet in effect when exitkit looked, so no CONT followed."""
    for run in range(150):
        mark = tmp_path / f"ready{run}"
        proc = subprocess.Popen([EXITKIT, "run", "--", "sh", "-c",
                                 f'trap "exit 7" TERM; : > "{mark}"; while :; do sleep 0.01; '
                                 "done"], preexec_fn=defaults)
        try:
            assert wait_for(lambda mark=mark: mark.exists())  # type: ignore[misc]
            (child,) = procs.children(proc.pid)
            os.kill(child, signal.SIGSTOP)
            proc.send_signal(signal.SIGTERM)
            assert procs.ends_within(proc, 15, f"run {run}: the command stayed stopped with its "
                                     "TERM pending") == 7
        finally:
            procs.clear_away(proc)


def test_a_retry_line_waits_for_a_stalled_reader_after_a_timed_out_attempt() -> None:
    """Found by review: the grace a timed-out attempt starts applied to the retry line too, which
    was dropped 5 s into a reader's pause although the run went on. The reader here comes back
    after the grace: the line is there, and the retry succeeds."""
    read_end, write_end = full_pipe()
    proc = subprocess.Popen([EXITKIT, "run", "--timeout", "0.5", "--retries", "1", "--retry-on",
                             "124", "--backoff", "0", "--", "sh", "-c",
                             '[ "$EXITKIT_ATTEMPT" = 2 ] || exec sleep 30'],
                            stderr=write_end, preexec_fn=defaults)
    os.close(write_end)
    got = bytearray()
    try:
        time.sleep(FULL_STDERR_GRACE + 2)  # the reader is away, longer than the grace
        while chunk := os.read(read_end, 65536):  # until exitkit (the last writer) is gone
            got += chunk
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(read_end)
        proc.wait(timeout=10)
    assert b"exitkit: sh exited 124 (timeout); retrying" in got


def test_a_forwarded_stop_signal_ends_the_wait_on_a_full_stderr() -> None:
    """Found by review: TERM forwarded while the command ran was taken from the queue, so the
    wait for room for exitkit's last line on a stderr nobody reads never ended. The command has
    been told to stop: exitkit waits FULL_STDERR_GRACE at most, then ends by the same signal."""
    read_end, write_end = full_pipe()
    proc = subprocess.Popen([EXITKIT, "run", "--", "sh", "-c", "echo more >&2; sleep 30"],
                            stderr=write_end, preexec_fn=defaults)
    os.close(write_end)
    try:
        assert wait_for(lambda: bool(procs.children(proc.pid)))
        time.sleep(0.3)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=FULL_STDERR_GRACE + 20)
        except subprocess.TimeoutExpired:
            pytest.fail("exitkit kept waiting for room on its stderr after the TERM")
        assert proc.returncode == -signal.SIGTERM
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(read_end)
        proc.wait(timeout=10)


def test_a_run_stopped_between_attempts_keeps_the_commands_own_status(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    for _ in range(5):  # full jitter may draw a delay too short to signal inside it: again
        with start("--retries", "3", "--backoff", "30", "--max-backoff", "30", "--report",
                   str(report), "--", "sh", "-c", "exit 1") as proc:
            assert proc.stderr is not None
            retry = proc.stderr.readline()
            if float(retry.split(b"retrying in ")[1].split(b"s ")[0]) < 1:
                proc.kill()
                continue
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=10) == -signal.SIGTERM
            break
    else:
        pytest.fail("five delays in a row were under a second")
    data = json.loads(report.read_text())
    assert (data["exit_code"], data["raw_exit_code"], data["cause"], data["attempts"]) == (
        143, 1, "stopped", 1)  # the command exited 1; exitkit was the one stopped


def race(runs: int, one: Callable[[int], object], workers: int = 2) -> Counter[object]:
    """Run *one* *runs* times, on *workers* threads; count what each returned."""
    counts: Counter[object] = Counter()
    lock = threading.Lock()
    todo = list(range(runs))

    def work() -> None:
        while True:
            with lock:
                if not todo:
                    return
                i = todo.pop()
            got = one(i)
            with lock:
                counts[got] += 1

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts


def test_term_at_any_moment_of_a_retry_loop_ends_it(tmp_path: Path) -> None:
    """TERM while an attempt runs, as it ends, or between attempts: the run always ends."""
    def one(i: int) -> object:
        with start("-q", "--retries", "100000", "--backoff", "0", "--", "sh", "-c", "exit 1",
                   stdout=subprocess.DEVNULL) as proc:
            time.sleep(random.uniform(0.03, 0.12))
            proc.send_signal(signal.SIGTERM)
            try:
                return proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                return "still retrying"

    counts = race(200, one)
    assert set(counts) <= {-signal.SIGTERM, 1}, counts  # 1: TERM reached the last child itself
    assert counts[-signal.SIGTERM] >= 100, counts


@LINUX_ONLY
def test_int_from_exitkits_first_line_on_is_never_lost_and_never_a_traceback() -> None:
    """INT at a random moment after exitkit holds its signals (its first line): the command never
    runs to completion, exitkit dies of INT, and nothing is printed."""
    def one(i: int) -> object:
        with start("--", "sh", "-c", "sleep 0.5; echo completed",
                   stdout=subprocess.PIPE) as proc:
            assert wait_for(lambda: holds_signals(proc.pid), timeout=5)
            time.sleep(random.uniform(0, 0.02))
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=10)
            return proc.returncode, out, err

    counts = race(300, one)
    assert set(counts) <= {
        (-signal.SIGINT, b"", b"exitkit: SIGINT received; sh: not started; exiting 130\n"),
        (-signal.SIGINT, b"", b"exitkit: sh exited 130 (sigint): Killed by signal 2 (SIGINT)\n"),
    }, counts


@pytest.mark.skipif(not shutil.which("unshare"), reason="needs util-linux unshare")
def test_as_pid_1_term_stops_it_between_attempts_and_orphans_are_reaped(tmp_path: Path) -> None:
    probe = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "true"],
                           capture_output=True)
    if probe.returncode != 0:
        message = f"cannot make a PID namespace here: {probe.stderr.decode().strip()}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    state = tmp_path / "attempts"
    # as the container's PID 1, retrying with long backoffs: TERM must still end it. The
    # delay has full jitter (0..20 s), so it may be short: each attempt notes when it
    # started, and none may start after the TERM was sent.
    with subprocess.Popen(
        ["unshare", "--pid", "--fork", "--mount-proc", EXITKIT, "run", "--retries", "5",
         "--backoff", "20", "--max-backoff", "20", "--", "sh", "-c",
         f'echo "$$ $PPID $(date +%s.%N)" >> "{state}"; exit 1'],
        stderr=subprocess.DEVNULL, preexec_fn=defaults,
    ) as proc:
        assert wait_for(lambda: lines(state) >= 1)
        assert state.read_text().split()[1] == "1"  # exitkit is PID 1 in there
        exitkit = int(Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()[0])
        # in the backoff: the attempt has been reaped
        assert wait_for(lambda: not Path(f"/proc/{exitkit}/task/{exitkit}/children").read_text())
        time.sleep(0.1)
        sent = time.time()
        os.kill(exitkit, signal.SIGTERM)
        assert proc.wait(timeout=10) == 143  # PID 1 cannot die of its own signal: 128+15
    started = [float(line.split()[2]) for line in state.read_text().splitlines()]
    assert started and max(started) < sent, (started, sent)
    # as PID 1 it reaps what is re-parented to it: no zombie is left while the command runs
    script = "(sleep 0.2 &); sleep 1; ps -eo stat= | grep -c '^Z' || true"
    result = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", EXITKIT, "run", "--",
                             "sh", "-c", script], capture_output=True, text=True, timeout=30)
    assert (result.returncode, result.stdout.strip()) == (0, "0"), result.stderr


# --- signals exitkit did not forward before ------------------------------------------------------


def test_alarm_is_the_timeout_as_for_gnu_timeout(tmp_path: Path) -> None:
    with start("--", "sh", "-c", "sleep 30") as proc:
        time.sleep(0.3)
        proc.send_signal(signal.SIGALRM)
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 124
    assert err == b"exitkit: sh stopped: timed out; exiting 124\n"


def pids_in_group(pgid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            if fields[0] != "Z" and int(fields[2]) == pgid:
                found.append(int(entry.name))
    return found


@LINUX_ONLY
@pytest.mark.parametrize(("first", "second"), [(signal.SIGINT, signal.SIGTERM),
                                               (signal.SIGINT, signal.SIGINT),
                                               (signal.SIGTERM, signal.SIGHUP)],
                         ids=["INT-TERM", "INT-INT", "TERM-HUP"])
def test_a_second_stop_signal_kills_what_ignores_both_soon(first: int, second: int,
                                                           tmp_path: Path) -> None:
    """The runner's cancel (INT, TERM 7.5 s later, KILL of exitkit 2.5 s after that) or a second
    Ctrl-C: a command that ignores both is KILLed 1.5 s after the second, so that nothing of
    its group outlives exitkit, whose KILL is coming."""
    pids = tmp_path / "pids"
    script = (f"trap '' INT TERM HUP; sh -c 'trap \"\" INT TERM HUP; echo $$ >> {pids}; "
              f"while :; do sleep 0.05; done' & echo $$ >> {pids}; wait")
    with start("--", "sh", "-c", script) as proc:
        assert wait_for(lambda: lines(pids) == 2)
        group = os.getpgid(int(pids.read_text().split()[0]))
        proc.send_signal(first)
        time.sleep(0.5)
        assert proc.poll() is None  # one stop signal: the command may take its time
        proc.send_signal(second)
        sent = time.monotonic()
        assert proc.wait(timeout=10) == -signal.SIGKILL  # dies as its command did
        assert 1.3 < time.monotonic() - sent < 3
    assert pids_in_group(group) == []


def test_a_second_stop_signal_never_kills_with_kill_after_zero(tmp_path: Path) -> None:
    mark = tmp_path / "done"
    script = f"trap 'sleep 2; echo clean > {mark}; exit 3' INT; sleep 30 & wait"
    with start("--kill-after", "0", "--", "sh", "-c", script) as proc:
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 3
    assert mark.read_text() == "clean\n"


@pytest.mark.parametrize("name", ["SIGVTALRM", "SIGPROF", "SIGXCPU", "SIGPWR", "SIGIO",
                                  "SIGRTMIN"])
def test_other_terminating_signals_are_forwarded_never_orphaning_the_command(name: str,
                                                                            tmp_path: Path) -> None:
    signum = getattr(signal, name)
    mark = tmp_path / "got"
    script = f'trap "echo got > {mark}; exit 7" {int(signum)}; while :; do sleep 0.05; done'
    with start("--", "sh", "-c", script) as proc:
        time.sleep(0.3)
        proc.send_signal(signum)
        assert proc.wait(timeout=10) == 7
    assert mark.read_text() == "got\n"


# --- the calling script is never hurt -------------------------------------------------------------


def test_a_child_killed_by_int_from_elsewhere_does_not_stop_the_calling_script() -> None:
    """No terminal: exitkit dies of INT like the child, and the script carries on with 130."""
    script = f'{EXITKIT} run -- sh -c "kill -INT \\$\\$"; echo "after:$?"'
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True,
                            preexec_fn=defaults, timeout=30)
    assert (result.returncode, result.stdout) == (0, "after:130\n")


def test_a_sigpipe_death_is_silent_as_in_bash() -> None:
    result = subprocess.run(["bash", "-o", "pipefail", "-c", f"{EXITKIT} run -- yes | head -1"],
                            capture_output=True, text=True, timeout=30)
    assert (result.returncode, result.stdout, result.stderr) == (141, "y\n", "")


@pytest.mark.parametrize("stderr", ["closed", pytest.param("full", marks=NEEDS_DEV_FULL),
                                    "broken pipe"])
@pytest.mark.parametrize("args", [["--bogus", "--", "true"], ["-c", "nosuch", "--", "true"],
                                  ["--timeout", "x", "--", "true"]])
def test_exitkits_own_errors_are_125_whatever_happens_to_stderr(stderr: str,
                                                                args: list[str]) -> None:
    command = " ".join([EXITKIT, "run", *args])
    redirect = {"closed": " 2>&-", "full": " 2>/dev/full", "broken pipe": " 2>&1 | true"}[stderr]
    script = f'{command}{redirect}; echo "status=${{PIPESTATUS[0]}}"'
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30)
    assert result.stdout == "status=125\n", result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("stdout", [" >&-", pytest.param(" >/dev/full", marks=NEEDS_DEV_FULL)])
def test_run_help_into_a_closed_or_full_stdout_is_125(stdout: str) -> None:
    result = subprocess.run(["bash", "-c", f"{EXITKIT} run --help{stdout}; echo status=$? >&2"],
                            capture_output=True, text=True, timeout=30)
    assert result.stderr.splitlines()[-1] == "status=125"
    assert "Traceback" not in result.stderr


# --- command resolution like bash and execvp ------------------------------------------------------


@pytest.mark.parametrize("text", ["echo ran $1\nexit 3\n", "#!\necho ran $1\nexit 3\n"])
def test_a_script_without_a_hashbang_runs_with_bin_sh(text: str, tools: Tools) -> None:
    tools("plain", text, shebang="")
    result = run_exitkit("run", "--", "plain", "arg")
    assert (result.returncode, result.stdout, result.stderr) == (3, "ran arg\n", "")


def test_a_missing_interpreter_is_127(tools: Tools) -> None:
    tool = tools("mytool", "echo hi", shebang="#!/no/such/interpreter")
    result = run_exitkit("run", "--", "mytool")
    assert result.returncode == 127
    assert result.stderr == (f"exitkit: {tool}: /no/such/interpreter: bad interpreter: "
                             "No such file or directory\n")


def test_a_directory_found_on_path_is_126_like_execvp(tools: Tools, tmp_path: Path) -> None:
    (tmp_path / "dirtool").mkdir()
    env = dict(os.environ, PATH=f"{tmp_path}:{os.environ['PATH']}")
    result = run_exitkit("run", "--", "dirtool", env=env)
    assert (result.returncode, result.stderr) == (
        126, f"exitkit: {tmp_path}/dirtool: Permission denied\n")
    tools("dirtool", "exit 4")  # a later PATH entry that can run wins
    env["PATH"] = f"{tmp_path}:{tools.bin}:{os.environ['PATH']}"
    assert run_exitkit("run", "--", "dirtool", env=env).returncode == 4


def test_dot_is_126_as_for_timeout_and_env() -> None:
    result = run_exitkit("run", "--", ".")
    assert result.returncode == 126


# --- timeout edges like GNU timeout ---------------------------------------------------------------


def test_kill_after_zero_never_sends_kill(tmp_path: Path) -> None:
    mark = tmp_path / "exited"
    script = f'trap "sleep 1; echo clean > {mark}; exit 9" TERM; sleep 30 & wait'
    started = time.monotonic()
    result = run_exitkit("run", "--timeout", "0.2", "--kill-after", "0", "--", "sh", "-c", script)
    assert result.returncode == 124
    assert mark.read_text() == "clean\n"  # its TERM trap ran to the end: no KILL came
    assert time.monotonic() - started >= 1.2


def test_the_timeout_works_when_the_caller_ignored_the_timeout_signal() -> None:
    def ignore_term() -> None:
        defaults()
        signal.signal(signal.SIGTERM, signal.SIG_IGN)

    started = time.monotonic()
    result = subprocess.run([EXITKIT, "run", "--timeout", "0.3", "--kill-after", "20", "--",
                             "sleep", "30"], capture_output=True, preexec_fn=ignore_term,
                            timeout=60)
    assert result.returncode == 124
    assert time.monotonic() - started < 10  # TERM worked; KILL at 20 s was not needed


@LINUX_ONLY
def test_the_command_starts_with_no_signal_ignored_that_exitkit_did_not_inherit() -> None:
    # What a command started without exitkit gets: nothing, or (under GNU make) glibc's own
    # signals 32 and 33, which no program can change back.
    baseline = subprocess.run(["grep", "^SigIgn", "/proc/self/status"], capture_output=True,
                              text=True, preexec_fn=defaults, timeout=30).stdout
    assert int(baseline.split()[1], 16) & ~(0b11 << 31) == 0
    result = subprocess.run([EXITKIT, "run", "--", "grep", "^SigIgn", "/proc/self/status"],
                            capture_output=True, text=True, preexec_fn=defaults, timeout=30)
    assert result.stdout == baseline

    def ignore_usr1() -> None:
        defaults()
        signal.signal(signal.SIGUSR1, signal.SIG_IGN)

    result = subprocess.run([EXITKIT, "run", "--", "grep", "^SigIgn", "/proc/self/status"],
                            capture_output=True, text=True, preexec_fn=ignore_usr1, timeout=30)
    ignored = int(result.stdout.split()[1], 16)
    assert ignored == int(baseline.split()[1], 16) | 1 << (signal.SIGUSR1 - 1)  # kept


def test_killing_exitkit_outright_stops_the_command_with_its_timeout_signal(tmp_path: Path) -> None:
    mark = tmp_path / "got"
    script = f'trap "echo got > {mark}; exit" USR1; echo ready; while :; do sleep 0.05; done'
    with subprocess.Popen([EXITKIT, "run", "--signal", "USR1", "--", "sh", "-c", script],
                          stdout=subprocess.PIPE, preexec_fn=defaults) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"ready\n"
        proc.kill()  # SIGKILL: exitkit runs no code of its own any more
    assert wait_for(mark.exists, timeout=5)  # the parent-death signal reached the command


@pytest.mark.parametrize("name", ["KILL", "9", "SIGKILL", "STOP"])
def test_kill_and_stop_are_timeout_signals_too(name: str, tmp_path: Path) -> None:
    """As `timeout -s KILL`: nothing can be set for KILL or STOP in the command, and nothing needs
    to be; the command runs, and its timeout ends it."""
    assert run_exitkit("run", "--signal", name, "--", "true").returncode == 0
    pid_file = tmp_path / "pid"
    started = time.monotonic()
    result = run_exitkit("run", "--signal", name, "--timeout", "0.3", "--kill-after", "0.3", "--",
                         "sh", "-c", f'echo $$ > "{pid_file}"; exec sleep 30')
    assert result.returncode == 124, result.stderr
    assert time.monotonic() - started < 10
    assert not procs.alive(int(pid_file.read_text()))


# --- reports and messages -------------------------------------------------------------------------


def test_a_report_through_a_symlink_replaces_the_file_and_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("{}\n")
    link = tmp_path / "link.json"
    link.symlink_to("real.json")
    assert run_exitkit("run", "--report", str(link), "--", "true").returncode == 0
    assert link.is_symlink() and os.readlink(link) == "real.json"
    assert json.loads(real.read_text())["outcome"] == "success"
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to("made.json")  # as `echo > dangling` would, the link's target is made
    assert run_exitkit("run", "--report", str(dangling), "--", "true").returncode == 0
    assert dangling.is_symlink() and json.loads((tmp_path / "made.json").read_text())


@pytest.mark.parametrize("name", ["/dev/fd/1", "/proc/self/fd/1"])
def test_a_report_to_exitkits_own_stdout_follows_what_is_there(name: str, tmp_path: Path) -> None:
    """`--report /dev/stdout > log`: the report goes after the command's output, in the same
    file; reopening it would truncate the log, and replacing the link would replace /dev/stdout."""
    if not Path(name).parent.is_dir():
        pytest.skip(f"no {Path(name).parent} here")
    log = tmp_path / "log"
    log.write_text("before\n")
    with log.open("a") as out:
        done = subprocess.run([EXITKIT, "run", "--report", name, "--", "sh", "-c",
                               "echo output; exit 3"], stdout=out, timeout=30)
    assert done.returncode == 3
    text = log.read_text()
    assert text.startswith("before\noutput\n{\n")
    assert json.loads(text.split("\n", 2)[2])["exit_code"] == 3


def test_the_names_of_exitkits_own_descriptors() -> None:
    from exitkit.run.report.jsonfile import own_descriptor

    assert [own_descriptor(name) for name in (
        "/dev/stdout", "/dev/stderr", "/dev/fd/3", "/proc/self/fd/1", "/dev/fd/", "/dev/fd/x",
        "/proc/1/fd/1", "./dev/stdout", "/dev/fd/\u0661")] == [
            1, 2, 3, 1, None, None, None, None, None]


@pytest.mark.parametrize("args", [["--ok", "bogus", "-c", "proxxx"], ["--timeout", "nope"],
                                  ["-c", "no-such-contract"]])
def test_a_run_exitkit_could_not_make_still_writes_its_report(args: list[str],
                                                              tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    assert run_exitkit("run", "-q", "--report", str(report), "--", "true").returncode == 0
    result = run_exitkit("run", "--report", str(report), *args, "--", "true")
    assert result.returncode == 125
    data = json.loads(report.read_text())  # not the earlier success
    assert (data["exit_code"], data["outcome"], data["name"], data["attempts"]) == (
        125, "error", "run-failed", 0)
    assert data["error"] == result.stderr.splitlines()[0].removeprefix("exitkit: ")
    assert set(data) == set(json.loads(run_exitkit(
        "run", "--report", "/dev/stdout", "--", "true").stdout))  # the keys of any report


def test_the_report_is_replaced_atomically(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    report.write_text("old\n")
    inode = report.stat().st_ino
    assert run_exitkit("run", "--report", str(report), "--", "true").returncode == 0
    assert report.stat().st_ino != inode  # a new file took its place in one rename
    assert report.read_text().startswith("{\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]  # no temporary left


def test_a_report_to_a_fifo_nobody_reads_never_hangs(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    result = run_exitkit("run", "--report", str(fifo), "--", "sh", "-c", "exit 3", timeout=20)
    assert result.returncode == 3
    assert result.stderr == (f"exitkit: cannot write --report {fifo}: No such device or "
                             "address\n")


def test_a_report_to_a_fifo_with_a_reader_arrives(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    time.sleep(0.2)
    assert run_exitkit("run", "--report", str(fifo), "--", "true").returncode == 0
    out, _ = reader.communicate(timeout=10)
    assert b'"outcome": "success"' in out


def test_escape_sequences_and_bytes_that_are_not_utf8_are_shown_escaped(tmp_path: Path) -> None:
    name = os.fsencode("\x1b]0;pwned\x07tool") + b"\xff"
    result = subprocess.run([os.fsencode(EXITKIT), b"run", b"--", name], capture_output=True,
                            timeout=30)
    assert result.returncode == 127
    assert result.stderr == b"exitkit: \\e]0;pwned\\x07tool\\xff: command not found\n"
    result = subprocess.run([os.fsencode(EXITKIT), b"run", b"--ok", b"\xff\x1b[2J", b"--",
                             b"true"], capture_output=True, timeout=30)
    assert result.returncode == 125
    assert result.stderr.splitlines()[0] == (
        b"exitkit: --ok: '\\xff\\x1b[2J' is neither a code, a name nor a kind in the shell "
        b"conventions (no contract for this command; pass -c)")


# --- what users of retry wrappers ask for ---------------------------------------------------------


def test_max_time_bounds_the_whole_run(tmp_path: Path) -> None:
    state = tmp_path / "attempts"
    started = time.monotonic()
    result = run_exitkit("run", "--max-time", "1", "--retries", "100", "--backoff", "0.2",
                         "--max-backoff", "0.2", "--report", str(tmp_path / "r.json"), "--",
                         "sh", "-c", f'echo x >> "{state}"; sleep 0.3; exit 1')
    elapsed = time.monotonic() - started
    assert elapsed < 3
    assert lines(state) >= 2
    # it ran out during an attempt (124) or left no time for the next one (the last status)
    assert result.returncode in (124, 1)
    if result.returncode == 124:
        assert "--max-time 1s ran out; exiting 124" in result.stderr


def test_max_time_stops_a_long_attempt_with_124() -> None:
    started = time.monotonic()
    result = run_exitkit("run", "--max-time", "0.5", "--timeout", "30", "--", "sleep", "30")
    assert result.returncode == 124
    assert result.stderr == "exitkit: sleep stopped: --max-time 0.5s ran out; exiting 124\n"
    assert time.monotonic() - started < 5


def test_max_time_leaves_no_backoff_sleeping_past_it(tmp_path: Path) -> None:
    state = tmp_path / "attempts"
    started = time.monotonic()
    result = run_exitkit("run", "--max-time", "2", "--retries", "5", "--backoff", "60",
                         "--max-backoff", "60", "--", "sh", "-c", f'echo x >> "{state}"; exit 1')
    assert time.monotonic() - started < 3
    assert result.returncode in (1, 124)


def test_attempt_numbers_reach_the_command(tmp_path: Path) -> None:
    log = tmp_path / "log"
    script = f'echo "$EXITKIT_ATTEMPT/$EXITKIT_MAX_ATTEMPTS" >> "{log}"; exit 1'
    run_exitkit("run", "--retries", "2", "--backoff", "0", "--", "sh", "-c", script)
    assert log.read_text() == "1/3\n2/3\n3/3\n"


# --- the out-of-memory killer -----------------------------------------------------------------


def fake_cgroup(tmp_path: Path, version: int) -> tuple[Path, Path]:
    cgroup = tmp_path / "cgroup"
    cgroup.mkdir()
    name = "memory.events" if version == 2 else "memory.oom_control"
    counter = cgroup / name
    counter.write_text("low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n" if version == 2 else
                       "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n")
    return cgroup, counter


@pytest.mark.parametrize("version", [2, 1])
def test_a_kill_by_the_oom_killer_is_named(version: int, tmp_path: Path) -> None:
    cgroup, counter = fake_cgroup(tmp_path, version)
    bump = f"sed -i 's/^oom_kill 0$/oom_kill 1/' {counter}; kill -KILL $$"
    report = tmp_path / "r.json"
    env = dict(os.environ, EXITKIT_CGROUP_DIR=str(cgroup))
    result = run_exitkit("run", "--report", str(report), "--", "sh", "-c", bump, env=env)
    assert result.returncode == -signal.SIGKILL  # dies of it, like the command: a shell reads 137
    assert result.stderr == ("exitkit: sh was killed by the kernel's out-of-memory killer "
                             "(exit 137, SIGKILL)\n")
    import json

    assert json.loads(report.read_text())["cause"] == "oom"
    # a SIGKILL with no OOM kill counted is just a SIGKILL
    result = run_exitkit("run", "--", "sh", "-c", "kill -KILL $$", env=env)
    assert result.stderr == "exitkit: sh exited 137 (sigkill): Killed by signal 9 (SIGKILL)\n"


def test_a_real_oom_kill_is_named_where_a_memory_cgroup_can_be_made(tmp_path: Path) -> None:
    from exitkit.run.oom import cgroup_files

    v1 = [f for f in cgroup_files() if f.endswith("memory.oom_control")]
    if not v1 or not os.access(os.path.dirname(v1[0]), os.W_OK):
        pytest.skip("no writable cgroup v1 memory controller here")
    cgroup = Path(os.path.dirname(v1[0])) / f"exitkit-test-{os.getpid()}"
    try:
        cgroup.mkdir()
        (cgroup / "memory.limit_in_bytes").write_text(str(64 << 20))
        hog = f"{sys.executable} -c 'x = bytearray(400 << 20); print(len(x))'"
        script = f"echo $$ > {cgroup}/cgroup.procs; exec {EXITKIT} run -- {hog}"
        result = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=60)
    finally:
        for _ in range(50):
            try:
                cgroup.rmdir()
                break
            except OSError:
                time.sleep(0.1)
    assert result.returncode == -signal.SIGKILL
    assert result.stderr == (f"exitkit: {Path(sys.executable).name} was killed by the kernel's "
                             "out-of-memory killer (exit 137, SIGKILL)\n")

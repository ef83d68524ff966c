"""exitkit run's decisions in-process: options, policy, the result record and its stderr lines.

tests/test_run.py drives the real console script; these pin each decision to its exact value, so
that a changed comparison or message fails here too (and mutation testing can see it).
"""

from __future__ import annotations

import re
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from exitkit.contracts.loader import load_builtin
from exitkit.errors import ExitkitError
from exitkit.run import policy
from exitkit.run.options import CI_MODES, Options, parse_args
from exitkit.run.report.stderr import StderrReporter, message
from exitkit.run.result import RunResult
from exitkit.run.supervise import Outcome

PROXXX = load_builtin("proxxx")


def opts(*args: str) -> Options:
    parsed = parse_args([*args, "--", "tool"])
    assert parsed is not None
    return parsed


# --- options ------------------------------------------------------------------------------------


def test_defaults() -> None:
    bare = Options()
    assert (bare.argv, bare.contract, bare.ok, bare.retry_on, bare.report, bare.ci,
            bare.quiet) == ([], None, [], [], None, "none", False)
    o = opts()
    assert (o.argv, o.contract, o.ok, o.timeout, o.signal, o.kill_after, o.retries, o.retry_on,
            o.backoff, o.max_backoff, o.report, o.ci, o.quiet) == (
        ["tool"], None, [], None, signal.SIGTERM, 5.0, 0, [], 1.0, 60.0, None, "none", False)
    assert CI_MODES == ("auto", "github", "none")


def test_every_option_lands_converted() -> None:
    o = opts("-c", "proxxx", "--ok", "5,not-found", "--ok=auth", "--timeout", "1m30s",
             "--signal", "INT", "--kill-after", "2", "--retries", "3", "--retry-on", "7",
             "--backoff", "250ms", "--max-backoff", "10s", "--report", "r.json", "--ci", "github",
             "-q")
    assert (o.contract, o.ok, o.timeout, o.signal, o.kill_after, o.retries, o.retry_on,
            o.backoff, o.max_backoff, o.report, o.ci, o.quiet) == (
        "proxxx", ["5", "not-found", "auth"], 90.0, signal.SIGINT, 2.0, 3, ["7"], 0.25, 10.0,
        "r.json", "github", True)
    assert opts("-cproxxx").contract == "proxxx"
    assert opts("--contract=raid").contract == "raid"
    assert opts("--timeout", "0").timeout is None  # 0 disables, as with GNU timeout
    for option in ("--timeout", "--max-time", "--kill-after"):  # so does "no effective limit"
        for text in ("0", "-0", "inf", "1e400"):
            assert getattr(opts(option, text), option[2:].replace("-", "_")) is None
    assert opts("--timeout", "1e-10000").timeout == 5e-324  # at once, not never
    assert opts("--retries", "999999").retries == 999999
    assert parse_args(["--help"]) is None
    assert parse_args(["-h", "--bogus"]) is None


@pytest.mark.parametrize(("text", "label", "words"), [
    ('proxxx delete "$VMID" --yes', 'proxxx delete "$VMID" --yes',
     ["proxxx", "delete", "$VMID", "--yes"]),
    ("  # remove the VM\n\n  proxxx delete 1  \n", "proxxx delete 1", ["proxxx", "delete", "1"]),
    ("proxxx delete 1\necho done", "proxxx delete 1 …", ["proxxx", "delete", "1"]),
    ("proxxx delete 1 # the VM\n# a comment", "proxxx delete 1 # the VM …",
     ["proxxx", "delete", "1"]),
    ("echo 'unfinished\nquote'", "echo 'unfinished …", ["echo", "'unfinished"]),
    ("# only a comment", "# only a comment", ["# only a comment"]),
    ("", "(empty)", ["(empty)"]),
    ("   \n ", "(empty)", ["(empty)"]),
])
def test_as_shows_the_first_command_line(text: str, label: str, words: list[str]) -> None:
    o = opts("--as", text)
    assert (o.label, o.shown) == (label, words)
    assert o.argv == ["tool"]


def test_without_as_the_command_is_shown_quoted_for_bash() -> None:
    o = parse_args(["--", "proxxx", "delete", "a b", "$x"])
    assert o is not None
    assert (o.label, o.shown) == ("proxxx delete 'a b' '$x'", ["proxxx", "delete", "a b", "$x"])


@pytest.mark.parametrize(("env", "args", "mode"), [
    ({}, [], "none"),
    ({"GITHUB_ACTIONS": "true"}, [], "github"),
    ({"GITHUB_ACTIONS": "false"}, [], "none"),
    ({"GITHUB_ACTIONS": "1"}, [], "none"),
    ({}, ["--ci", "github"], "github"),
    ({"GITHUB_ACTIONS": "true"}, ["--ci", "none"], "none"),
    ({"GITHUB_ACTIONS": "true"}, ["--ci", "auto"], "github"),
    ({}, ["--github"], "github"),
    ({"GITHUB_ACTIONS": "true"}, ["--no-github"], "none"),
    ({}, ["--github", "--no-github"], "none"),
])
def test_ci_mode(env: dict[str, str], args: list[str], mode: str,
                 monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    o = opts(*args)
    assert o.ci == mode
    assert o.github is (mode == "github")


@pytest.mark.parametrize(("args", "max_time"), [
    ([], None), (["--max-time", "90s"], 90.0), (["--max-time", "1m30s"], 90.0),
    (["--max-time", "0"], None), (["--max-time", "inf"], None),
])
def test_max_time(args: list[str], max_time: float | None) -> None:
    assert opts(*args).max_time == max_time


@pytest.mark.parametrize(("env", "args", "mode"), [
    ({}, [], "none"),
    ({"GITHUB_ACTIONS": "true"}, [], "github"),
    ({"GITHUB_ACTIONS": "true"}, ["--no-github"], "none"),
    ({}, ["--ci", "github", "--timeout", "nonsense"], "github"),  # before the rest is checked
    ({"GITHUB_ACTIONS": "true"}, ["--ci", "bogus"], "none"),  # even --ci is malformed
])
def test_ci_mode_for_reporting_an_error(env: dict[str, str], args: list[str], mode: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from exitkit.cli.parse import parse
    from exitkit.cli.spec import BY_NAME
    from exitkit.run.options import ci_mode

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert ci_mode(parse(BY_NAME["run"], [*args, "--", "tool"])) == mode


@pytest.mark.parametrize(("args", "message"), [
    ([], "no command to run"),
    (["--backoff", "inf", "--", "x"], "--backoff: 'inf' is no finite duration"),
    (["--max-backoff", "1e400", "--", "x"], "--max-backoff: '1e400' is no finite duration"),
    (["--ok", "5,,6", "--", "x"], "--ok: empty item in '5,,6'"),
    (["--retry-on", "", "--", "x"], "--retry-on: empty item in ''"),
    (["--ok", "5", "--ok", "", "--", "x"], "--ok: empty item in '5, '"),
    (["--retries", "x", "--", "t"], "--retries: expected a whole number up to 999999, got 'x'"),
    (["--retries", "1000000", "--", "t"],
     "--retries: expected a whole number up to 999999, got '1000000'"),
    (["--retries", "-1", "--", "t"], "--retries: expected a whole number up to 999999, got '-1'"),
    (["--signal", "NOPE", "--", "t"], "--signal: unknown signal 'NOPE': use a name like TERM, "
                                      "INT, HUP or KILL, or a signal number"),
    (["--timeout", "soon", "--", "t"], "--timeout: invalid duration 'soon': use a number of "
                                       "seconds or units like 30s, 1.5m, 1h30m"),
    (["--kill-after", "x", "--", "t"], "--kill-after: invalid duration 'x': use a number of "
                                       "seconds or units like 30s, 1.5m, 1h30m"),
    (["--backoff", "x", "--", "t"], "--backoff: invalid duration 'x': use a number of seconds "
                                    "or units like 30s, 1.5m, 1h30m"),
    (["--max-backoff", "x", "--", "t"], "--max-backoff: invalid duration 'x': use a number of "
                                        "seconds or units like 30s, 1.5m, 1h30m"),
    (["--ci", "gitlab", "--", "t"], "--ci: 'gitlab' is not one of auto, github, none"),
    (["--report"], "--report needs a value (FILE)"),
    (["--report", "--", "t"], "--report needs a value (FILE)"),
    (["--timeout", "1", "--timeout", "2", "--", "t"], "--timeout given twice"),
    (["--bogus", "--", "t"], "no such option: --bogus"),
    (["--okk", "5", "--", "t"], "no such option: --okk (did you mean '--ok'?)"),
    (["-q=1", "--", "t"], "no such option: -q=1 (did you mean '-q'?)"),
    (["--quiet=1", "--", "t"], "--quiet takes no value"),
])
def test_mistakes_are_run_failed_with_one_clear_message(args: list[str], message: str) -> None:
    with pytest.raises(ExitkitError, match=re.escape(message)) as info:
        parse_args(args)
    assert (info.value.exit, info.value.status) == ("run-failed", 125)
    assert info.value.message == message
    assert info.value.hint == "see 'exitkit run --help'"


def test_the_command_starts_at_the_first_word_or_after_double_dash() -> None:
    parsed = parse_args(["--ok", "5", "tool", "--ok", "x", "--", "y"])
    assert parsed is not None and parsed.argv == ["tool", "--ok", "x", "--", "y"]
    parsed = parse_args(["--", "--not-an-option"])
    assert parsed is not None and parsed.argv == ["--not-an-option"]
    parsed = parse_args(["-", "x"])
    assert parsed is not None and parsed.argv == ["-", "x"]


# --- policy -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("items", "codes", "by_number"), [
    (["5"], {5}, {5}),
    (["0"], {0}, {0}),
    (["255"], {255}, {255}),
    (["3-5"], {3, 4, 5}, {3, 4, 5}),
    (["5-5"], {5}, {5}),
    (["0-2", "7"], {0, 1, 2, 7}, {0, 1, 2, 7}),
    (["not-found"], {5}, set()),
    (["transient"], {7}, set()),
    (["auth", "1"], {4, 1}, {1}),
])
def test_codes_from_numbers_ranges_names_and_kinds(items: list[str], codes: set[int],
                                                   by_number: set[int]) -> None:
    chosen = policy.codes("--ok", items, PROXXX)
    assert (chosen.codes, chosen.by_number) == (codes, by_number)
    assert all(code in chosen for code in codes)
    assert 99 not in chosen


def test_names_without_a_contract_are_the_shells() -> None:
    chosen = policy.codes("--ok", ["sigpipe", "timeout"], None)
    assert chosen.codes == {141, 124}


@pytest.mark.parametrize(("item", "message"), [
    ("256", "--ok: '256' is not a code or range within 0..255"),
    ("05", "--ok: '05' is not a code or range within 0..255"),
    ("5-3", "--ok: '5-3' is not a code or range within 0..255"),
    ("1-256", "--ok: '1-256' is not a code or range within 0..255"),
    ("nope", "--ok: 'nope' is neither a code, a name nor a kind in proxxx's contract"),
    ("²", "--ok: '²' is neither a code, a name nor a kind in proxxx's contract"),
    ("x-5", "--ok: 'x-5' is neither a code, a name nor a kind in proxxx's contract"),
    ("5-x", "--ok: '5-x' is neither a code, a name nor a kind in proxxx's contract"),
])
def test_bad_codes(item: str, message: str) -> None:
    with pytest.raises(ExitkitError, match=re.escape(message)) as info:
        policy.codes("--ok", [item], PROXXX)
    assert info.value.message == message and info.value.exit == "run-failed"
    with pytest.raises(ExitkitError, match="in the shell conventions \\(no contract"):
        policy.codes("--ok", ["nope"], None)


def test_retry_defaults_and_the_statuses_only_a_number_selects() -> None:
    assert {124, 126, 127, 129, 130, 131, 137, 143} == policy.BY_NUMBER_ONLY
    assert policy.STOP_SIGNALS == (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGTERM)
    assert policy.retry_codes(opts(), PROXXX) == {7}
    assert policy.retry_codes(opts(), None) == set(range(1, 256)) - policy.BY_NUMBER_ONLY
    assert policy.retry_codes(opts("--retry-on", "signal"), None) == {
        132, 133, 134, 136, 139, 141, 142}
    assert policy.retry_codes(opts("--retry-on", "124,130,timeout"), None) == {124, 130}
    assert policy.retry_codes(opts("--retry-on", "auth"), PROXXX) == {4}
    with pytest.raises(ExitkitError, match=r"^--retry-on: 'nope' is neither a code"):
        policy.retry_codes(opts("--retry-on", "nope"), PROXXX)


@pytest.mark.parametrize(("status", "timed_out", "sig", "ok", "verdict"), [
    (0, False, None, [], "success"),
    (0, True, None, [], "success"),
    (5, False, None, ["5"], "tolerated"),
    (5, False, None, [], "failure"),
    (124, True, None, ["timeout"], "timeout"),  # by name: never exitkit's own timeout
    (124, True, None, ["124"], "tolerated"),
    (124, False, None, ["timeout"], "tolerated"),  # the command's own 124
    (124, True, None, [], "timeout"),
    (143, False, signal.SIGTERM, [], "signal"),
    (143, False, signal.SIGTERM, ["sigterm"], "tolerated"),
    (141, False, signal.SIGPIPE, ["141"], "tolerated"),
])
def test_verdict(status: int, timed_out: bool, sig: int | None, ok: list[str],
                 verdict: str) -> None:
    chosen = policy.codes("--ok", ok, None)
    assert policy.verdict(status, timed_out=timed_out, signal=sig, ok=chosen) == verdict


def test_label_is_the_contracts_row_else_the_shells() -> None:
    assert policy.label(PROXXX, 5).name == "not-found"  # type: ignore[union-attr]
    assert policy.label(PROXXX, 137).name == "sigkill"  # type: ignore[union-attr]
    assert policy.label(None, 127).name == "command-not-found"  # type: ignore[union-attr]
    assert policy.label(None, 42) is None
    assert policy.label(PROXXX, 42) is None


# --- the outcome of one attempt -----------------------------------------------------------------


@pytest.mark.parametrize(("outcome", "status"), [
    (Outcome(0), 0),
    (Outcome(3), 3),
    (Outcome(255), 255),
    (Outcome(-15, signal=15), 143),
    (Outcome(-9, signal=9), 137),
    (Outcome(-9, signal=9, timed_out=True), 124),
    (Outcome(0, timed_out=True), 124),
    (Outcome(42, timed_out=True, parent_died=True), 124),
])
def test_outcome_status_is_what_a_shell_reads(outcome: Outcome, status: int) -> None:
    assert outcome.status == status


def test_outcome_keeps_what_the_supervisor_saw() -> None:
    o = Outcome(-2, signal=2, duration=1.5, pid=42, interrupted=2, forwarded=(2, 15),
                oom_killed=True)
    assert (o.returncode, o.signal, o.timed_out, o.parent_died, o.duration, o.pid, o.interrupted,
            o.forwarded, o.oom_killed) == (-2, 2, False, False, 1.5, 42, 2, (2, 15), True)
    assert repr(o) == ("Outcome(returncode=-2, signal=2, timed_out=False, parent_died=False, "
                       "duration=1.500, pid=42, interrupted=2)")
    bare = Outcome(0)
    assert (bare.forwarded, bare.pid, bare.interrupted, bare.oom_killed, bare.duration) == (
        (), 0, None, False, 0.0)


def test_exit_like_exits_with_the_status_when_no_signal_is_to_be_mirrored() -> None:
    from exitkit.run.outcome import exit_like

    for outcome, code in ((Outcome(3), 3), (Outcome(-9, signal=9, timed_out=True), 124)):
        with pytest.raises(SystemExit, match=f"^{code}$") as info:
            exit_like(outcome)
        assert info.value.code == code


# --- the result and its stderr line -------------------------------------------------------------


def result(**changes: object) -> RunResult:
    fields: dict[str, object] = dict(argv=["proxxx", "delete", "1"], tool="proxxx",
                                     contract="proxxx", status=5, exit_code=0,
                                     outcome="tolerated", entry=PROXXX.lookup(5))
    fields.update(changes)
    return RunResult(**fields)  # type: ignore[arg-type]


def test_the_report_record_names_everything() -> None:
    assert result(attempts=2, duration=1.23456, cause=None).to_dict() == {
        "argv": ["proxxx", "delete", "1"], "contract": "proxxx", "exit_code": 0,
        "raw_exit_code": 5, "name": "not-found", "kind": "not-found",
        "meaning": "Resource not found", "recovery": "Already gone: idempotent OK on teardown",
        "signal": None, "timed_out": False, "cause": None, "attempts": 2, "duration": 1.235,
        "outcome": "tolerated", "error": None, "cancelled": False,
        "stderr_line": None, "stderr_line_refused": False, "stderr_tail": None,
    }
    record = result(argv=["x", "\udcff"], contract=None, status=143, exit_code=143,
                    outcome="signal", entry=None, signal=15, error="a\nb",
                    timed_out=True, cause="timeout").to_dict()
    assert (record["argv"], record["contract"], record["name"], record["kind"], record["meaning"],
            record["recovery"], record["signal"], record["error"], record["timed_out"],
            record["cause"]) == (["x", "\\xff"], None, None, None, None, None, "SIGTERM",
                                 "a\\nb", True, "timeout")


def test_label_and_signal_name() -> None:
    assert result().label == "5 (not-found)"
    assert result(entry=None, status=42).label == "42"
    assert result().name == "not-found" and result(entry=None).name is None
    assert result(signal=9).signal_name == "SIGKILL"
    assert result(signal=None).signal_name is None
    assert result(signal=200).signal_name == "200"
    defaults = result()
    assert (defaults.signal, defaults.timed_out, defaults.parent_died, defaults.timeout,
            defaults.attempts, defaults.duration, defaults.error, defaults.cause) == (
        None, False, False, None, 1, 0.0, None, None)


SHELL = load_builtin("shell")


@pytest.mark.parametrize(("changes", "line"), [
    ({}, "proxxx exited 5 (not-found); tolerated by --ok"),
    ({"outcome": "failure", "exit_code": 5},
     "proxxx exited 5 (not-found): Resource not found — Already gone: idempotent OK on teardown"),
    ({"outcome": "failure", "status": 1, "exit_code": 1, "entry": PROXXX.lookup(1)},
     "proxxx exited 1 (failure): Generic failure"),
    ({"outcome": "failure", "status": 42, "exit_code": 42, "entry": None}, ""),
    ({"outcome": "success", "status": 0, "exit_code": 0}, ""),
    ({"outcome": "timeout", "status": 124, "exit_code": 124, "timeout": 2.5},
     "proxxx stopped: timed out after 2.5s; exiting 124"),
    ({"outcome": "timeout", "status": 124, "exit_code": 124},
     "proxxx stopped: timed out; exiting 124"),
    ({"outcome": "timeout", "status": 124, "exit_code": 124, "parent_died": True,
      "timeout": 2.5}, "proxxx stopped: the calling shell went away; exiting 124"),
    ({"outcome": "signal", "status": 137, "exit_code": 137, "entry": SHELL.lookup(137)},
     "proxxx exited 137 (sigkill): Killed by signal 9 (SIGKILL)"),
    ({"outcome": "signal", "status": 143, "exit_code": 143, "entry": None}, ""),
    ({"error": "proxxx: command not found", "status": 127, "outcome": "failure"},
     "proxxx: command not found"),
    ({"cause": "stopped", "signal": 15, "attempts": 0, "status": 143, "exit_code": 143},
     "SIGTERM received; proxxx: not started; exiting 143"),
    ({"cause": "stopped", "signal": 2, "attempts": 1, "status": 130, "exit_code": 130},
     "SIGINT received; proxxx: no further attempt; exiting 130"),
    ({"cause": "stopped", "signal": 1, "attempts": 3, "status": 129, "exit_code": 129},
     "SIGHUP received; proxxx: no further attempt; exiting 129"),
    ({"outcome": "timeout", "status": 124, "exit_code": 124, "cause": "max-time",
      "timeout": 90.0, "attempts": 2}, "proxxx stopped: --max-time 90s ran out; exiting 124"),
    ({"outcome": "timeout", "status": 124, "exit_code": 124, "cause": "max-time",
      "timeout": None, "attempts": 2}, "proxxx stopped: timed out; exiting 124"),
    ({"outcome": "timeout", "status": 124, "exit_code": 124, "timeout": 2.5, "attempts": 0},
     "proxxx stopped: timed out; exiting 124"),
    ({"outcome": "failure", "status": 137, "exit_code": 137, "cause": "oom", "signal": 9},
     "proxxx was killed by the kernel's out-of-memory killer (exit 137, SIGKILL)"),
    ({"outcome": "signal", "status": 141, "exit_code": 141, "signal": 13,
      "entry": SHELL.lookup(141)}, ""),
])
def test_the_line_that_says_how_a_run_ended(changes: dict[str, object], line: str) -> None:
    assert message(result(**changes)) == line


def test_the_stderr_reporter_writes_escaped_lines_unless_quiet(
    capsys: pytest.CaptureFixture[str],
) -> None:
    reporter = StderrReporter()
    reporter.finished(result(tool="evil\x1b[2J"))
    reporter.finished(result(outcome="timeout", status=124, exit_code=124, timeout=3.0))
    reporter.retrying(result(outcome="failure", attempts=2), 1.25, 4)
    reporter.stopped_retrying("the calling shell went away")
    reporter.finished(result(outcome="success", status=0, exit_code=0))
    StderrReporter(quiet=True).finished(result())
    assert capsys.readouterr() == ("", (
        "exitkit: evil\\e[2J exited 5 (not-found); tolerated by --ok\n"
        "exitkit: proxxx stopped: timed out after 3s; exiting 124\n"
        "exitkit: proxxx exited 5 (not-found); retrying in 1.2s (attempt 3 of 4)\n"
        "exitkit: the calling shell went away; no further attempt\n"))


def test_every_value_option_refuses_a_missing_value() -> None:
    from exitkit.cli.spec import BY_NAME

    names = [name for option in BY_NAME["run"].options if option.takes_value
             for name in option.names]
    assert len(names) >= 12
    for name in names:
        for args in ([name, "--", "true"], [name], [name, "-q", "--", "true"]):
            with pytest.raises(ExitkitError, match=f"^{re.escape(name)} needs a value") as info:
                parse_args(args)
            assert info.value.status == 125


# --- how exitkit ends: dying of a signal, in a forked copy of this process ----------------------


def ended(action: Callable[[], object], *, new_group: bool = True) -> tuple[int | None, int]:
    """Run *action* in a forked child (in a process group of its own); how did the child end?
    (the signal it died of or None, and its exit status or the signal number)."""
    import os

    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            if new_group:
                os.setpgid(0, 0)
            for signum in (signal.SIGINT, signal.SIGQUIT, signal.SIGTERM):
                signal.signal(signum, signal.SIG_DFL)
            action()
        except SystemExit as exit:
            os._exit(exit.code if isinstance(exit.code, int) else 98)
        finally:
            os._exit(99)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        assert not os.WCOREDUMP(status)
        return os.WTERMSIG(status), os.WTERMSIG(status)
    return None, os.WEXITSTATUS(status)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGSEGV,
                                    signal.SIGKILL, signal.SIGQUIT])
def test_die_of_ends_the_process_by_that_signal_without_a_core(signum: int, tmp_path: Path,
                                                               ) -> None:
    import os
    import resource

    from exitkit.run.outcome import die_of

    def action() -> None:
        os.chdir(tmp_path)
        resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        signal.pthread_sigmask(signal.SIG_BLOCK, {signum})  # die_of unblocks it
        if signum != signal.SIGKILL:
            signal.signal(signum, lambda *_: None)  # and puts back the default action
        die_of(signum)

    assert ended(action) == (signum, signum)
    assert list(tmp_path.iterdir()) == []  # no core file


def test_die_of_can_reach_the_whole_process_group(tmp_path: Path) -> None:
    import os

    from exitkit.run.outcome import die_of

    mark = tmp_path / "survivor"

    def action() -> None:
        pid = os.fork()
        if pid == 0:  # a sibling in the same group, like the calling script's shell
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            time.sleep(2)
            mark.write_text("still here")
            os._exit(0)
        time.sleep(0.2)
        die_of(signal.SIGINT, whole_group=True)

    assert ended(action) == (signal.SIGINT, signal.SIGINT)
    time.sleep(2.5)
    assert not mark.exists()  # the sibling got INT too
    # without whole_group only we die; a TERM is never sent to the group
    def alone() -> None:
        die_of(signal.SIGTERM, whole_group=True)

    assert ended(alone) == (signal.SIGTERM, signal.SIGTERM)


@pytest.mark.parametrize(("signum", "crash"), [(signal.SIGSEGV, True), (signal.SIGABRT, True),
                                              (signal.SIGQUIT, True), (signal.SIGTERM, False)])
def test_on_macos_a_crash_signal_is_an_exit_status_not_a_crash_report(
    signum: int, crash: bool, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from exitkit.run import outcome

    monkeypatch.setattr(sys, "platform", "darwin")
    expected = (None, 128 + signum) if crash else (signum, signum)
    assert ended(lambda: outcome.die_of(signum)) == expected


def test_exit_like_mirrors_a_signal_death_and_a_terminal_interrupt() -> None:
    from exitkit.run.outcome import exit_like

    assert ended(lambda: exit_like(Outcome(-15, signal=15))) == (15, 15)
    assert ended(lambda: exit_like(Outcome(-9, signal=9, timed_out=True))) == (None, 124)
    assert ended(lambda: exit_like(Outcome(7))) == (None, 7)

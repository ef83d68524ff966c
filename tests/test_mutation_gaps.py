"""In-process checks of decisions the suite otherwise makes only in child processes (which
`make mutation` cannot see): how exitkit dies of a signal, how messages quote text, how a
``[match]`` is written out, what the stderr line says when a run is stopped.

The real behaviour is tested with real processes elsewhere (test_run_signals.py, test_spawn.py,
tests/peers/); here the system calls are recorded instead of made, so a wrong line shows."""

from __future__ import annotations

import io
import re
import signal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exitkit.contracts.model import Match
from exitkit.run import outcome
from exitkit.run.supervise import Outcome
from exitkit.text import quoted

# --- outcome.die_of / exit_like -----------------------------------------------------------------


class Exited(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Every system call die_of makes, recorded instead of made; os._exit raises Exited."""
    made: list[tuple[Any, ...]] = []
    import resource

    monkeypatch.setattr(resource, "getrlimit", lambda which: (made.append(("getrlimit", which))
                                                             or (1024, 4096)))
    monkeypatch.setattr(resource, "setrlimit", lambda which, limits: made.append(
        ("setrlimit", which, limits)))
    monkeypatch.setattr(outcome.signal, "signal", lambda n, h: made.append(("signal", n, h)))
    monkeypatch.setattr(outcome.signal, "pthread_sigmask", lambda how, s: made.append(
        ("sigmask", how, set(s))))
    monkeypatch.setattr(outcome.os, "kill", lambda pid, n: made.append(("kill", pid, n)))
    monkeypatch.setattr(outcome.os, "killpg", lambda pg, n: made.append(("killpg", pg, n)))
    monkeypatch.setattr(outcome.os, "getpid", lambda: 4242)
    monkeypatch.setattr(outcome.os, "getpgrp", lambda: 4200)

    def exit_(status: int) -> None:
        raise Exited(status)

    monkeypatch.setattr(outcome.os, "_exit", exit_)
    monkeypatch.setattr(outcome.sys, "platform", "linux")
    return made


def test_die_of_turns_core_dumps_off_restores_the_default_and_kills_itself(
        calls: list[tuple[Any, ...]]) -> None:
    import resource

    with pytest.raises(Exited) as ended:
        outcome.die_of(signal.SIGTERM)
    assert ended.value.status == 128 + signal.SIGTERM
    assert calls == [
        ("getrlimit", resource.RLIMIT_CORE),
        ("setrlimit", resource.RLIMIT_CORE, (0, 4096)),
        ("signal", signal.SIGTERM, signal.SIG_DFL),
        ("sigmask", signal.SIG_UNBLOCK, {signal.SIGTERM}),
        ("kill", 4242, signal.SIGTERM),
    ]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGQUIT])
def test_a_terminal_interrupt_goes_to_the_whole_group(calls: list[tuple[Any, ...]],
                                                      signum: int) -> None:
    with pytest.raises(Exited):
        outcome.die_of(signum, whole_group=True)
    assert calls[-1] == ("killpg", 4200, signum)


def test_by_default_only_exitkit_dies(calls: list[tuple[Any, ...]]) -> None:
    with pytest.raises(Exited):
        outcome.die_of(signal.SIGINT)
    assert calls[-1] == ("kill", 4242, signal.SIGINT)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_only_int_and_quit_from_the_terminal_reach_the_group(calls: list[tuple[Any, ...]],
                                                             signum: int) -> None:
    with pytest.raises(Exited):
        outcome.die_of(signum, whole_group=signum != signal.SIGINT)
    assert calls[-1] == ("kill", 4242, signum)


def test_kill_keeps_its_disposition(calls: list[tuple[Any, ...]]) -> None:
    with pytest.raises(Exited) as ended:
        outcome.die_of(signal.SIGKILL)
    assert ended.value.status == 137
    assert not [c for c in calls if c[0] == "signal"]
    assert calls[-1] == ("kill", 4242, signal.SIGKILL)


@pytest.mark.parametrize("signum", sorted(outcome._CRASH_SIGNALS))
def test_on_macos_a_crash_signal_is_exited_not_died_of(calls: list[tuple[Any, ...]],
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       signum: int) -> None:
    monkeypatch.setattr(outcome.sys, "platform", "darwin")
    with pytest.raises(Exited) as ended:
        outcome.die_of(signum)
    assert ended.value.status == 128 + signum
    assert [c[0] for c in calls] == ["getrlimit", "setrlimit"]


def test_on_macos_other_signals_are_died_of(calls: list[tuple[Any, ...]],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outcome.sys, "platform", "darwin")
    with pytest.raises(Exited):
        outcome.die_of(signal.SIGTERM)
    assert calls[-1] == ("kill", 4242, signal.SIGTERM)


def test_a_failing_kill_still_exits_with_the_status(calls: list[tuple[Any, ...]],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(pid: int, n: int) -> None:
        raise PermissionError("no")

    monkeypatch.setattr(outcome.os, "kill", refuse)
    with pytest.raises(Exited) as ended:
        outcome.die_of(signal.SIGTERM)
    assert ended.value.status == 143


def test_exit_like_dies_of_the_signal_unless_it_timed_out(
        calls: list[tuple[Any, ...]]) -> None:
    with pytest.raises(Exited) as ended:
        outcome.exit_like(Outcome(-2, signal=signal.SIGINT, interrupted=signal.SIGINT))
    assert ended.value.status == 130 and calls[-1] == ("killpg", 4200, signal.SIGINT)
    calls.clear()
    with pytest.raises(Exited):
        outcome.exit_like(Outcome(-2, signal=signal.SIGINT))
    assert calls[-1] == ("kill", 4242, signal.SIGINT)
    calls.clear()
    with pytest.raises(SystemExit) as done:
        outcome.exit_like(Outcome(-15, signal=signal.SIGTERM, timed_out=True))
    assert done.value.code == 124 and calls == []
    with pytest.raises(SystemExit) as done:
        outcome.exit_like(Outcome(7))
    assert done.value.code == 7


def test_flush_flushes_both_streams_and_survives_broken_ones(
        monkeypatch: pytest.MonkeyPatch) -> None:
    flushed = []

    class Stream(io.StringIO):
        def flush(self) -> None:
            flushed.append(self)
            raise BrokenPipeError

    out, err = Stream(), Stream()
    monkeypatch.setattr(outcome.sys, "stdout", out)
    monkeypatch.setattr(outcome.sys, "stderr", err)
    outcome._flush()
    assert flushed == [out, err]
    monkeypatch.setattr(outcome.sys, "stdout", None)
    outcome._flush()
    assert flushed == [out, err, err]


# --- text.quoted --------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "shown"), [
    ("plain", "'plain'"),
    ("caf\udce9", "'caf\\xe9'"),
    ("a\\b\udcff", "'a\\\\b\\xff'"),
    ("\\udcff\udcfe", "'\\\\udcff\\xfe'"),  # the text \udcff stays text
    ("\udc41", "'\\udc41'"),  # a lone surrogate that is no escaped byte stays as it is
    ("tab\t\udc80end", "'tab\\t\\x80end'"),
    ("'\"\udcc3", "'\\'\"\\xc3'"),
])
def test_quoted_shows_undecodable_bytes_as_bytes(value: str, shown: str) -> None:
    assert quoted(value) == shown


@given(st.binary(max_size=40))
def test_quoted_is_repr_with_escaped_bytes_as_bytes(raw: bytes) -> None:
    value = raw.decode("utf-8", "surrogateescape")
    expected = re.sub(r"(\\\\)|\\udc([89a-f][0-9a-f])",
                      lambda m: m.group(1) or "\\x" + m.group(2), repr(value))
    assert quoted(value) == expected


# --- [match] written out ------------------------------------------------------------------------


def test_a_match_is_data_that_round_trips() -> None:
    full = Match("terraform", ["plan"], ["-detailed-exitcode"])
    assert full.to_dict() == {"command": "terraform", "args": ["plan"],
                              "flags": ["-detailed-exitcode"]}
    assert Match("pg_isready").to_dict() == {"command": "pg_isready"}
    assert Match("dnf", ["check-update"]).to_dict() == {"command": "dnf", "args": ["check-update"]}
    assert full.describe() == "terraform plan … -detailed-exitcode"
    assert Match("dnf", ["check-update"]).describe() == "dnf check-update"
    assert full == Match("terraform", ("plan",), ("-detailed-exitcode",))
    assert full != Match("terraform", ["plan"])
    assert full != "terraform plan"
    assert hash(full) == hash(Match("terraform", ["plan"], ["-detailed-exitcode"]))
    assert hash(full) != hash(Match("terraform", ["plan"]))
    assert full.specificity == (1, 1)


@pytest.mark.parametrize(("command", "words", "covered"), [
    ("terraform", ["plan", "-detailed-exitcode"], True),
    ("terraform", ["-chdir=x", "plan", "-out=p", "-detailed-exitcode=true"], True),
    ("terraform", ["plan"], False),
    ("terraform", ["apply", "-detailed-exitcode"], False),
    ("tofu", ["plan", "-detailed-exitcode"], False),
    ("terraform", ["plan", "-detailed-exitcodes"], False),
])
def test_what_a_match_covers(command: str, words: list[str], covered: bool) -> None:
    assert Match("terraform", ["plan"], ["-detailed-exitcode"]).matches(command, words) is covered


def test_a_contract_writes_its_match_with_its_data() -> None:
    from exitkit.contracts.loader import load_builtin
    from exitkit.contracts.render import render_toml

    plan = load_builtin("terraform-plan")
    assert plan.to_dict()["match"] == {"command": "terraform", "args": ["plan"],
                                       "flags": ["-detailed-exitcode"]}
    assert "match" not in load_builtin("proxxx").to_dict()
    assert '\n[match]\ncommand = "terraform"\nargs = ["plan"]\nflags = ["-detailed-exitcode"]\n' \
        in render_toml(plan)

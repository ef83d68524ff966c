"""Durations (`--timeout 1h30m`) and signal names (`--signal TERM`, 137 → SIGKILL)."""

from __future__ import annotations

import json
import os
import pty
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exitkit.run.durations import parse_duration
from exitkit.signals import parse_signal, signal_name


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30", 30.0),
        ("30s", 30.0),
        ("1.5m", 90.0),
        ("2h", 7200.0),
        ("1d", 86400.0),
        ("1m30s", 90.0),
        ("1h30m", 5400.0),
        ("1h0m5s", 3605.0),
        ("250ms", 0.25),
        ("1s500ms", 1.5),
        ("0", 0.0),
        ("0s", 0.0),
        ("0.5", 0.5),
        (".5s", 0.5),
        ("5.", 5.0),
        (" 30s", 30.0),
        # GNU timeout's grammar (tests/timeout/timeout-parameters.sh, -large-parameters.sh)
        ("+5", 5.0),
        ("10.34", 10.34),
        ("9.999999999", 9.999999999),
        ("1e3", 1000.0),
        ("1E3s", 1000.0),
        ("2.34e+5d", 2.34e5 * 86400),
        ("5e-1m", 30.0),
        ("1e", None),  # the e is no exponent, then no unit: invalid (below)
        ("0x10", 16.0),
        ("0X1.8p1", 3.0),
        ("0x1d", 29.0),  # hexadecimal digits first, as strtod reads them
        ("4294967296", 4294967296.0),
        ("9223372036854775808d", 9223372036854775808 * 86400.0),
        ("-0", 0.0),
        ("-0.0s", 0.0),
        ("\t 7", 7.0),
    ],
)
def test_durations_people_type_are_understood(text: str, seconds: float | None) -> None:
    if seconds is None:
        with pytest.raises(ValueError, match=r"^invalid duration"):
            parse_duration(text)
    else:
        assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["inf", "INF", "Infinity", "infinitys", "infd", "inf m",
                                  "1.18973149535723176502e+4932", "1" + "0" * 400, "1e309s",
                                  "0x1p2000", "1e308d", "inf1h"])
def test_a_duration_past_any_limit_is_infinite(text: str) -> None:
    if text in ("inf m", "inf1h"):
        with pytest.raises(ValueError, match=r"^invalid duration"):
            parse_duration(text)
    else:
        assert parse_duration(text) == float("inf")


@pytest.mark.parametrize("text", ["1e-10000", "1e-400s", "0.000000000000e-5000000000001",
                                  "0x1p-5000", "1e-400ms"])
def test_a_positive_duration_too_small_for_a_double_rounds_up(text: str) -> None:
    """GNU: "never sleep less than asked", so 1e-10000 times out at once; it is not 0 (which
    would mean no timeout)."""
    value = parse_duration(text)
    assert value == 5e-324 or (text == "0.000000000000e-5000000000001" and value == 0.0)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "3x",
        "-1",
        "-5s",
        "nan",
        "NaN",
        "-inf",
        " -0.1",
        " -1e-10000",  # negative however small: no "-0"
        "-1.18973149535723176502e+4932",
        "1_000",
        "1s ",
        "30s ",
        "++5",
        "+-5",
        "+",
        "-",
        "e5",
        "0x",
        "0xg",
        "1e+",
        "1.5e3.5",
        "42D",
        "1m1m",
        "30s1m",
        "1ms1s",
        "1m30",
        "s",
        "m5",
        "1.2.3",
        ".",
        "5 s",
        "1h 30m",
        "30S",
        "1M",
        "\u0661\u0665",  # Arabic-Indic digits: str.isdigit() says yes
    ],
)
def test_anything_else_is_an_invalid_duration_with_a_hint(text: str) -> None:
    with pytest.raises(ValueError, match=r"^invalid duration ") as excinfo:
        parse_duration(text)
    assert str(excinfo.value) == (
        f"invalid duration '{text}': use a number of seconds or units like 30s, 1.5m, 1h30m"
    )


@given(
    st.integers(min_value=0, max_value=99),
    st.integers(min_value=0, max_value=59),
    st.integers(min_value=0, max_value=59),
)
def test_compound_durations_add_up(hours: int, minutes: int, seconds: int) -> None:
    expected = hours * 3600 + minutes * 60 + seconds
    assert parse_duration(f"{hours}h{minutes}m{seconds}s") == expected
    assert parse_duration(f"{hours}h{minutes}m") == hours * 3600 + minutes * 60


def test_signal_names_come_from_the_running_platform() -> None:
    assert signal_name(9) == "SIGKILL"
    assert signal_name(signal.SIGUSR1) == "SIGUSR1"  # 10 on Linux, 30 on macOS
    for member in signal.Signals:  # same name as the signal module, aliases included
        assert signal_name(member.value) == member.name


@pytest.mark.skipif(not hasattr(signal, "SIGRTMIN"), reason="no real-time signals here")
def test_real_time_signals_are_named_from_rtmin() -> None:
    rtmin, rtmax = int(signal.SIGRTMIN), int(signal.SIGRTMAX)
    span = rtmax - rtmin
    assert signal_name(rtmin) == "SIGRTMIN"
    assert signal_name(rtmin + 1) == "SIGRTMIN+1"
    assert signal_name(rtmin + 3) == "SIGRTMIN+3"
    assert signal_name(rtmax - 1) == f"SIGRTMIN+{span - 1}"
    assert signal_name(rtmax) == "SIGRTMAX"
    assert signal_name(rtmax + 1) is None
    assert parse_signal("RTMIN+3") == rtmin + 3
    assert parse_signal("SIGRTMAX-1") == rtmax - 1
    # the whole range from either end, and not one step past it
    assert parse_signal("RTMIN+0") == parse_signal(f"RTMAX-{span}") == rtmin
    assert parse_signal(f"RTMIN+{span}") == parse_signal("RTMAX-0") == rtmax
    for outside in (f"RTMIN+{span + 1}", f"RTMAX-{span + 1}", "RTMAX-40", "RTMIN+x", "RTMIN+"):
        with pytest.raises(ValueError, match=r"^unknown signal "):
            parse_signal(outside)


@pytest.mark.parametrize("number", [0, -1, 65536, 10**9])
def test_unknown_signal_numbers_have_no_name(number: int) -> None:
    assert signal_name(number) is None


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("TERM", signal.SIGTERM),
        ("SIGTERM", signal.SIGTERM),
        ("term", signal.SIGTERM),
        ("SigTerm", signal.SIGTERM),
        ("15", 15),
        ("KILL", signal.SIGKILL),
        ("usr1", signal.SIGUSR1),
        ("9", 9),
        ("ABRT", signal.SIGABRT),
        ("IOT", signal.SIGABRT),  # an alias
        ("HUP", signal.SIGHUP),
        ("1", 1),
        (" int ", signal.SIGINT),
    ],
)
def test_signals_are_parsed_by_name_or_number(text: str, number: int) -> None:
    assert parse_signal(text) == number


@pytest.mark.parametrize(
    "text",
    ["", "FOO", "SIG", "0", "-9", "1.5", "999", "SIG_IGN", "SIG_DFL", "SIGRTMIN+999", "\u0669"],
)
def test_unknown_signals_are_a_clear_error(text: str) -> None:
    with pytest.raises(ValueError, match=r"^unknown signal ") as excinfo:
        parse_signal(text)
    assert str(excinfo.value).startswith(f"unknown signal '{text}': use a name like TERM")


def test_signal_and_duration_modules_import_nothing_heavy() -> None:
    code = (
        "import sys, exitkit; before = set(sys.modules); "
        "import exitkit.signals, exitkit.run.durations, exitkit.run.supervise; "
        "print(' '.join(sorted(set(sys.modules) - before)))"
    )
    loaded = set(subprocess.check_output([sys.executable, "-c", code], text=True).split())
    heavy = {"subprocess", "typing", "dataclasses", "re", "enum", "shutil", "ctypes", "json"}
    assert not loaded & heavy, loaded & heavy
    assert "signal" not in loaded  # its enum import costs milliseconds; _signal is enough


def exitkit_run_modules(*argv: str, stdin: int = subprocess.DEVNULL,
                        ) -> tuple[int, str, set[str]]:
    """``exitkit run ARGV`` in a fresh interpreter: its status, its stderr, and the modules it
    loaded (without a terminal, unless *stdin* is one)."""
    code = (
        f"import sys; sys.argv = ['exitkit', 'run', *{list(argv)!r}]; "
        "from exitkit._entry import main; status = main(); import gc; "
        "print('MODULES', gc.isenabled(), *sorted(sys.modules), file=sys.stderr); "
        "sys.exit(status)"
    )
    result = subprocess.run([sys.executable, "-c", code], stdin=stdin, capture_output=True,
                            text=True, timeout=60)
    said, _, modules = result.stderr.partition("MODULES ")
    gc_enabled, *loaded = modules.split()
    assert gc_enabled == "True"  # off while exitkit run starts, on again before the command
    return result.returncode, said, set(loaded)


def test_exitkit_run_imports_neither_ctypes_nor_the_shell_renderers() -> None:
    """What `exitkit run -- true` loads: no ctypes package (prctl comes from _ctypes), no shell
    renderers (the contract check of constant names lives with the contracts)."""
    status, said, loaded = exitkit_run_modules("--", "true")
    assert status == 0 and said == "", said
    assert "exitkit.run.supervise" in loaded  # it did run
    assert not loaded & {"ctypes", "types", "struct", "exitkit.shells", "typing", "re", "enum"}, (
        loaded & {"ctypes", "types", "struct", "exitkit.shells", "typing", "re", "enum"})
    if sys.platform.startswith("linux"):
        assert "_ctypes" in loaded  # the parent-death signal was set up
    # A command without a contract loads no table: names and [match] commands come from the
    # built-ins' index, the search path from contracts.search; the status's name is looked up
    # only when a reporter asks, and text only for a message.
    unneeded = {"exitkit.contracts.loader", "exitkit.contracts.model",
                "exitkit.contracts._builtins", "exitkit.text", "exitkit.run.durations"}
    assert not loaded & unneeded, loaded & unneeded
    assert "exitkit.contracts._builtin_index" in loaded
    # Nor the other commands' table (run's own entry is enough to parse its command line), nor
    # what only some runs need: the terminal's job control (no tty among fds 0-2), exitkit's own
    # stderr lines (a success says nothing), ending like a child that died of a signal.
    deferred = {"exitkit.cli.spec", "exitkit.run.terminal", "exitkit.run.report.stderr",
                "exitkit.run.outcome"}
    assert not loaded & deferred, loaded & deferred


def test_exitkit_run_loads_the_deferred_parts_when_a_run_needs_them(tmp_path: Path) -> None:
    """The other side of the test above: a failure is reported on stderr, a --report that
    cannot be written is warned about there, and a tty among fds 0-2 is looked at."""
    report = tmp_path / "run.json"
    status, said, loaded = exitkit_run_modules("--report", str(report), "--", "false")
    assert status == 1
    assert said == "exitkit: false exited 1 (failure): General failure\n"
    assert json.loads(report.read_text())["outcome"] == "failure"
    assert "exitkit.run.report.stderr" in loaded
    status, said, loaded = exitkit_run_modules("--report", str(tmp_path), "--", "true")
    assert status == 0 and said.startswith("exitkit: cannot write --report "), said
    assert "exitkit.run.report.stderr" in loaded  # for the warning only
    primary, secondary = pty.openpty()
    try:
        status, said, loaded = exitkit_run_modules("--", "true", stdin=secondary)
    finally:
        os.close(primary)
        os.close(secondary)
    assert status == 0 and said == "", said
    assert "exitkit.run.terminal" in loaded  # a tty, if not (here) the controlling terminal


def test_a_status_reads_as_a_signal_death_only_for_a_signal_of_this_platform() -> None:
    from exitkit.signals import STATUS_BASE, death_status, signal_in_status

    assert STATUS_BASE == 128
    assert death_status(signal.SIGKILL) == 137
    assert death_status(1) == 129
    assert [signal_in_status(s) for s in (0, 1, 127, 128, 129, 137, 143, 255)] == [
        None, None, None, None, 1, 9, 15, None]


#: Durations in GNU timeout's grammar (strtod: hexadecimal with binary exponents, decimal
#: exponents, leading white space) and their values in seconds; None: refused.
GNU_GRAMMAR = {
    "0x1p3": 8.0, "0X1P-1": 0.5, "0x.8": 0.5, "0x1p+2": 4.0, "0x1P2": 4.0, "0x1.8p1s": 3.0,
    "0x1e": 30.0, "0x0": 0.0, "0x0.0p0": 0.0, "1e1": 10.0, "1E-1": 0.1, "1e1m": 600.0,
    ".5e1": 5.0, "1.": 1.0, "00": 0.0, "0.0e5": 0.0, "+1": 1.0, " 1": 1.0, "\t2": 2.0,
    "\n3": 3.0,
    "0x1.s": 1.0,
    "0x": None, "0x1p": None, "1e": None, "1e+": None, "0xg": None, "\u00a01": None, "1 ": None,
    "1eX5": None, "0x1X3": None, "0xG1": None, "1X5": None, "0x.p1": None,
}


@pytest.mark.parametrize(("text", "seconds"), sorted(GNU_GRAMMAR.items()))
def test_durations_in_gnu_timeouts_grammar(text: str, seconds: float | None) -> None:
    if seconds is None:  # refused with exitkit's own message, never a float() error
        with pytest.raises(ValueError, match=r"^invalid duration '"):
            parse_duration(text)
    else:
        assert parse_duration(text) == seconds


@pytest.mark.skipif(shutil.which("timeout") is None, reason="needs GNU timeout to compare with")
def test_gnu_timeout_accepts_and_refuses_the_same_durations() -> None:
    """The table above, held against the GNU timeout on this machine (125: a bad duration)."""
    for text, seconds in GNU_GRAMMAR.items():
        status = subprocess.run(["timeout", text, "true"], capture_output=True,
                                timeout=30).returncode
        assert (status == 0) == (seconds is not None), (text, status)

from __future__ import annotations

import json
import re
import signal
from pathlib import Path

import pytest

from conftest import run_exitkit
from exitkit.contracts.explain import explain
from exitkit.errors import ExitkitError


def test_137_is_killed_by_sigkill_named_by_the_platform() -> None:
    result = explain(137)
    assert result.signal == 9
    assert result.signal_name == signal.Signals(9).name == "SIGKILL"
    assert str(result).startswith("137")


def test_usr1_is_decoded_with_the_running_platforms_number() -> None:
    code = 128 + int(signal.SIGUSR1)
    assert explain(code).signal_name == "SIGUSR1"


@pytest.mark.parametrize("text", ["256", "-1", "05", " 5", "+5", "1000"])
def test_a_number_that_is_not_a_status_is_refused_as_by_the_shell_helpers(text: str) -> None:
    with pytest.raises(ExitkitError, match=f"^{re.escape(repr(text))} is not an exit status: "
                                           "statuses are 0..255") as info:
        explain(text)
    assert info.value.exit == "usage"
    if not 0 <= int(text) <= 255:
        with pytest.raises(ExitkitError, match="is not an exit status"):
            explain(int(text))  # the Python API too


def test_shell_convention_without_contract() -> None:
    assert explain(127).shell.name == "command-not-found"
    assert explain("timeout").code == 124
    assert "no shell convention" in str(explain(42))


def test_contract_entry_then_shell_meaning() -> None:
    result = explain(124, "rune")
    assert result.exit.name == "inner-timeout"
    lines = result.lines()
    assert lines[0].startswith("rune 124 inner-timeout (timeout)")
    assert any(line.startswith("shell: 124 = timeout") for line in lines)


def test_string_error_code_with_hint_and_exit() -> None:
    result = explain("REPO_NOT_CLONED", "raid")
    assert result.error.code == "REPO_NOT_CLONED"
    assert result.exit.code == 5
    text = str(result)
    assert "raid install" in text
    assert "exits with 5 (not-found)" in text


def test_unknown_word_without_contract_is_an_error() -> None:
    with pytest.raises(ExitkitError, match=r"^'bogus' is not an exit status, a shell convention "
                       r"or a signal name$"):
        explain("bogus")


def test_cli_explain_137() -> None:
    result = run_exitkit("explain", "137")
    assert result.returncode == 0
    assert "killed by signal 9 (SIGKILL)" in result.stdout


def test_cli_explain_with_contract_and_error_code() -> None:
    result = run_exitkit("explain", "-c", "raid", "REPO_NOT_CLONED")
    assert result.returncode == 0, result.stderr
    assert "Run `raid install`" in result.stdout


def test_cli_explain_code_missing_from_contract_is_an_error_on_stderr() -> None:
    result = run_exitkit("explain", "-c", "proxxx", "99")
    assert (result.returncode, result.stdout) == (3, "")
    assert result.stderr == ("exitkit: '99' is not defined by proxxx's contract\n"
                             "exitkit: hint: 'exitkit show proxxx' lists its codes\n")


def test_cli_explain_missing_from_contract_hints_at_the_shell_reading() -> None:
    result = run_exitkit("explain", "-c", "proxxx", "137")
    assert (result.returncode, result.stdout) == (3, "")
    assert result.stderr.splitlines()[1] == (
        "exitkit: hint: the shell reads 137 as killed by signal 9 (SIGKILL); "
        "'exitkit show proxxx' lists its codes")


def test_cli_explain_missing_from_contract_with_json_is_one_error_object() -> None:
    result = run_exitkit("explain", "--json", "-c", "proxxx", "not-a-name")
    assert (result.returncode, result.stdout) == (3, "")
    error = json.loads(result.stderr)["error"]
    assert (error["code"], error["message"]) == (
        "not-found", "'not-a-name' is not defined by proxxx's contract")


@pytest.mark.parametrize("word", ["SIGKILL", "sigkill", "SigKill", "KILL", "kill"])
def test_signal_names_in_any_case(word: str) -> None:
    result = explain(word)
    assert (result.code, result.signal, result.signal_name) == (137, 9, "SIGKILL")


def test_a_number_is_a_status_not_a_signal() -> None:
    assert explain("9").code == 9
    assert explain("9").signal is None


@pytest.mark.parametrize(("word", "code"), [("NOT-EXECUTABLE", 126), ("Command-Not-Found", 127),
                                            ("usr1", 128 + int(signal.SIGUSR1)),
                                            ("SIGRTMIN+2", 128 + int(signal.SIGRTMIN) + 2)])
def test_convention_and_signal_names_in_any_case(word: str, code: int) -> None:
    assert explain(word).code == code


def test_a_contract_name_wins_over_a_signal_name(tmp_path: Path) -> None:
    contract = tmp_path / "ktool.toml"
    contract.write_text('name = "ktool"\nversion = "1.0.0"\nsummary = "k"\n'
                        '[[exit]]\ncode = 3\nname = "kill"\nkind = "failure"\nmeaning = "m"\n')
    assert explain("kill", str(contract)).code == 3


def test_cli_explain_json() -> None:
    data = json.loads(run_exitkit("explain", "--json", "-c", "proxxx", "5").stdout)
    assert data["exit"]["name"] == "not-found"
    assert data["code"] == 5


def test_255_is_out_of_range_not_a_signal() -> None:
    result = explain(255)
    assert result.signal is None
    assert str(result) == "255 out-of-range (internal): Exit status out of range"

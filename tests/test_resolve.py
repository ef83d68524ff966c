"""contract_for(argv, explicit): the one decision of which contract reads a command's status."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_exitkit
from exitkit.contracts.resolve import command_name, command_word, contract_for
from exitkit.errors import ExitkitError


@pytest.mark.parametrize(("argv", "name"), [
    (["proxxx", "delete", "1"], "proxxx"),
    (["/usr/local/bin/proxxx", "delete"], "proxxx"),
    (["PROXXX_RC=5", "LANG=C", "proxxx", "delete"], "proxxx"),
    (["env", "FOO=1", "proxxx"], "proxxx"),
    (["env", "-i", "-u", "HOME", "--chdir=/", "FOO=1", "proxxx"], "proxxx"),
    (["/usr/bin/env", "-C", "/tmp", "proxxx"], "proxxx"),
    (["command", "proxxx"], "proxxx"),
    (["exec", "-a", "name", "proxxx"], "proxxx"),
    (["nice", "-n", "5", "proxxx"], "proxxx"),
    (["nice", "-n5", "proxxx"], "proxxx"),
    (["nice", "-5", "proxxx"], "proxxx"),
    (["nice", "--adjustment=5", "proxxx"], "proxxx"),
    (["ionice", "-c", "3", "proxxx"], "proxxx"),
    (["nohup", "proxxx"], "proxxx"),
    (["stdbuf", "-oL", "-e", "0", "proxxx"], "proxxx"),
    (["sudo", "-u", "deploy", "-E", "proxxx"], "proxxx"),
    (["sudo", "--user=deploy", "--", "proxxx"], "proxxx"),
    (["sudo", "-Eu", "deploy", "proxxx"], "proxxx"),
    (["time", "-p", "proxxx"], "proxxx"),
    (["timeout", "30", "proxxx"], "proxxx"),
    (["timeout", "-s", "KILL", "-k", "5", "30s", "proxxx"], "proxxx"),
    (["timeout", "--signal=KILL", "30", "proxxx"], "proxxx"),
    (["sudo", "env", "A=1", "nice", "timeout", "5", "proxxx", "delete"], "proxxx"),
    (["env"], None),
    (["A=1", "B=2"], None),
    ([], None),
    (["sudo", "-u"], None),
])
def test_the_command_is_found_after_assignments_and_wrappers(argv: list[str],
                                                             name: str | None) -> None:
    assert command_name(argv) == name
    index = command_word(argv)
    assert (argv[index].rsplit("/", 1)[-1] if index is not None else None) == name


def test_explicit_wins_then_the_commands_name_then_nothing() -> None:
    assert contract_for(["proxxx"], "raid").name == "raid"  # type: ignore[union-attr]
    assert contract_for(["env", "X=1", "proxxx"]).name == "proxxx"  # type: ignore[union-attr]
    assert contract_for(["no-such-tool-xyz"]) is None
    assert contract_for([]) is None
    with pytest.raises(ExitkitError, match="no contract named 'nosuch'"):
        contract_for(["proxxx"], "nosuch")


def test_a_broken_contract_named_like_the_command_is_an_error_saying_so(world: Path) -> None:
    (world / ".exitkit").mkdir()
    (world / ".exitkit" / "mytool.toml").write_text('name = "mytool"\n')
    with pytest.raises(ExitkitError, match=r"^contract 'mytool', picked by the command's name: ") \
            as info:
        contract_for(["sudo", "mytool"])
    assert info.value.exit == "invalid-contract"


def test_explain_reads_a_code_with_the_contract_run_would_pick() -> None:
    result = run_exitkit("explain", "5", "--", "env", "A=1", "proxxx", "delete")
    assert result.returncode == 0
    assert result.stdout.splitlines()[0] == "proxxx 5 not-found (not-found): Resource not found"
    # -c wins over the command
    result = run_exitkit("explain", "-c", "rune", "5", "--", "proxxx", "delete")
    assert result.stdout.splitlines()[0].startswith("rune 5 conflict")
    # a command without a contract: the shell's reading only
    result = run_exitkit("explain", "5", "--", "no-such-tool-xyz")
    assert result.stdout == "5: no shell convention; the program's own meaning\n"

from __future__ import annotations

import enum
import sys

import pytest

import exitkit
from exitkit.contracts.model import Contract, ExitCode, default_prefix, is_identifier, is_kebab


def make() -> Contract:
    return Contract(
        "my-tool",
        "1.2.0",
        "A tool",
        [
            ExitCode(5, "not-found", "not-found", "Missing"),
            ExitCode(0, "success", "success", "OK"),
            ExitCode(7, "busy", "transient", "Busy, retry"),
            ExitCode(4, "slow-down", "rate-limited", "Slow down", retryable=False),
        ],
    )


@pytest.mark.parametrize(
    ("text", "ok"),
    [("not-found", True), ("http2", True), ("a-b-c", True), ("Not-found", False),
     ("not_found", False), ("-x", False), ("x-", False), ("a--b", False), ("", False),
     ("2fa", False), ("naïve", False)],
)
def test_kebab_case(text: str, ok: bool) -> None:
    assert is_kebab(text) is ok


def test_identifiers_are_portable_shell_names() -> None:
    assert is_identifier("PROXXX_EXIT_NOT_FOUND")
    assert not is_identifier("9LIVES")
    assert not is_identifier("A-B")
    assert not is_identifier("É")


def test_prefix_derivation_turns_hyphens_into_underscores() -> None:
    assert default_prefix("my-tool") == "MY_TOOL_EXIT"
    assert make().prefix == "MY_TOOL_EXIT"
    assert make().constant(make().lookup("not-found")) == "MY_TOOL_EXIT_NOT_FOUND"


def test_exits_are_sorted_and_looked_up_by_code_or_name() -> None:
    c = make()
    assert [e.code for e in c.exits] == [0, 4, 5, 7]
    assert c.lookup(5) is c.lookup("not-found") is c.lookup("5")
    assert c.lookup(99) is None
    assert c.lookup("nope") is None


def test_retryable_defaults_come_from_the_kind_and_can_be_overridden() -> None:
    c = make()
    assert c.lookup("busy").retryable is True
    assert c.lookup("slow-down").retryable is False
    assert c.lookup("not-found").retryable is False


def test_select_matches_code_name_or_kind() -> None:
    c = make()
    assert [e.code for e in c.select("transient")] == [7]
    assert [e.code for e in c.select("5")] == [5]
    assert c.select("auth") == []


def test_as_enum_gives_an_int_enum_usable_with_sys_exit() -> None:
    Exit = make().as_enum()
    assert issubclass(Exit, enum.IntEnum)
    assert Exit.NOT_FOUND == 5
    assert Exit["SLOW_DOWN"].value == 4
    with pytest.raises(SystemExit, match=r"^5$") as info:
        sys.exit(Exit.NOT_FOUND)
    assert info.value.code == 5


def test_public_api_loads_a_builtin_and_explains() -> None:
    proxxx = exitkit.load("proxxx")
    assert proxxx.lookup(5).name == "not-found"
    assert proxxx.as_enum().NOT_FOUND == 5
    text = str(exitkit.explain(137))
    assert "SIGKILL" in text and "signal 9" in text
    assert exitkit.explain(5, "proxxx").exit.name == "not-found"

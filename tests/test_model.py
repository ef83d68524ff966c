from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Any

import pytest

import exitkit
from conftest import ROOT
from exitkit.contracts.model import (
    Contract,
    ErrorCode,
    ExitCode,
    OutcomeRow,
    StderrRules,
    default_prefix,
    is_identifier,
    is_kebab,
)


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
    # str(IntEnum) is the number from Python 3.11, the member name before; the status is 5 on both
    with pytest.raises(SystemExit, match=r"^(5|MY_TOOL\.NOT_FOUND)$") as info:
        sys.exit(Exit.NOT_FOUND)
    assert info.value.code == 5


def test_public_api_loads_a_builtin_and_explains() -> None:
    proxxx = exitkit.load("proxxx")
    assert proxxx.lookup(5).name == "not-found"
    assert proxxx.as_enum().NOT_FOUND == 5
    text = str(exitkit.explain(137))
    assert "SIGKILL" in text and "signal 9" in text
    assert exitkit.explain(5, "proxxx").exit.name == "not-found"


# --- exact data: what show --format json, diff and the report are built from ------------------


def full() -> Contract:
    return Contract(
        "raid", "2.0.0", "Repo tool",
        [ExitCode(5, "not-found", "not-found", "Missing", when="No such repo",
                  recovery="Clone it", retryable=True),
         ExitCode(0, "success", "success", "OK")],
        [ErrorCode("REPO_NOT_CLONED", "not-found", "Not cloned", hint="raid install"),
         ErrorCode("Gone", "not-found", "Gone")],
        prefix="RAID_X", source="https://example.org/raid", origin="/tmp/raid.toml",
    )


def test_to_dict_is_the_toml_shape_with_every_field() -> None:
    assert full().to_dict() == {
        "name": "raid", "version": "2.0.0", "summary": "Repo tool", "prefix": "RAID_X",
        "source": "https://example.org/raid",
        "exit": [
            {"code": 0, "name": "success", "kind": "success", "meaning": "OK",
             "retryable": False},
            {"code": 5, "name": "not-found", "kind": "not-found", "meaning": "Missing",
             "when": "No such repo", "recovery": "Clone it", "retryable": True},
        ],
        "error": [
            {"code": "REPO_NOT_CLONED", "exit": "not-found", "meaning": "Not cloned",
             "hint": "raid install"},
            {"code": "Gone", "exit": "not-found", "meaning": "Gone"},
        ],
    }
    assert list(full().to_dict()) == ["name", "version", "summary", "prefix", "source", "exit",
                                      "error"]
    assert list(full().exits[1].to_dict()) == ["code", "name", "kind", "meaning", "when",
                                               "recovery", "retryable"]


def test_to_dict_leaves_out_what_a_contract_does_not_have() -> None:
    assert make().to_dict() == {
        "name": "my-tool", "version": "1.2.0", "summary": "A tool", "prefix": "MY_TOOL_EXIT",
        "exit": [e.to_dict() for e in make().exits],
    }
    assert ExitCode(1, "failure", "failure", "Bad").to_dict() == {
        "code": 1, "name": "failure", "kind": "failure", "meaning": "Bad", "retryable": False}
    assert ErrorCode("E", "failure", "m").to_dict() == {"code": "E", "exit": "failure",
                                                         "meaning": "m"}
    assert (make().origin, full().origin) == ("built-in", "/tmp/raid.toml")


def test_rows_are_equal_by_value_and_hash_alike() -> None:
    row = ExitCode(5, "not-found", "not-found", "Missing")
    assert row == ExitCode(5, "not-found", "not-found", "Missing")
    assert row != ExitCode(5, "not-found", "not-found", "Missing", recovery="x")
    assert row != ExitCode(6, "not-found", "not-found", "Missing")
    assert row != "not-found"
    err = ErrorCode("E", "x", "m", "h")
    assert err == ErrorCode("E", "x", "m", "h")
    assert err != ErrorCode("E", "x", "m")
    assert err != row
    outcome = OutcomeRow("gone", "not-found", "m", [1], "NotFound")
    rules = StderrRules(["^Error"], "C")
    pairs = [(row, ExitCode(5, "not-found", "not-found", "Missing")),
             (err, ErrorCode("E", "x", "m", "h")),
             (outcome, OutcomeRow("gone", "not-found", "m", (1,), "NotFound")),
             (rules, StderrRules(("^Error",), "C"))]
    for value, twin in pairs:
        assert value == twin and value is not twin and hash(value) == hash(twin)
        assert {value: 1}[twin] == 1 and len({value, twin}) == 1
    proxxx = exitkit.load("proxxx")
    rows = {*proxxx.exits, *proxxx.errors, *proxxx.outcomes}
    assert len(rows) == len(proxxx.exits) + len(proxxx.errors) + len(proxxx.outcomes)
    again = exitkit.load(ROOT / "src/exitkit/contracts/builtin/proxxx.toml")
    assert again is not proxxx and all(row in rows for row in again.exits)


def test_error_codes_are_found_exactly_then_ignoring_case() -> None:
    contract = full()
    assert contract.lookup_error("REPO_NOT_CLONED") is contract.errors[0]
    assert contract.lookup_error("repo_not_cloned") is contract.errors[0]
    assert contract.lookup_error("GONE") is contract.errors[1]
    assert contract.lookup_error("gone") is contract.errors[1]
    assert contract.lookup_error("REPO") is None
    assert contract.exit_of(contract.errors[0]) is contract.lookup(5)
    # an exact match wins over one that differs only in case
    twins = Contract("t", "1.0.0", "", [ExitCode(0, "success", "success", "OK")],
                     [ErrorCode("e", "success", "lower"), ErrorCode("E", "success", "upper")])
    assert twins.lookup_error("E").meaning == "upper"  # type: ignore[union-attr]
    assert twins.lookup_error("e").meaning == "lower"  # type: ignore[union-attr]


@pytest.mark.parametrize(("text", "code"), [
    ("0", 0), ("5", 5), ("42", 42), ("255", 255), ("100", 100),
    ("256", None), ("999", None), ("1000", None), ("05", None), ("00", None), ("007", None),
    (" 5", None), ("5 ", None), ("+5", None), ("-1", None), ("", None), ("²", None),
    ("\u0665", None), ("5.0", None), ("0x5", None),
])
def test_a_code_is_written_as_the_shell_prints_it(text: str, code: int | None) -> None:
    from exitkit.contracts.model import parse_code

    assert parse_code(text) == code
    contract = make()
    assert contract.lookup(text) is (contract.lookup(code) if code is not None else None)


@pytest.mark.parametrize(("value", "ok"), [
    (0, True), (255, True), (256, False), (-1, False), (True, False), (5.0, False), ("5", False)])
def test_is_code(value: object, ok: bool) -> None:
    from exitkit.contracts.model import is_code

    assert is_code(value) is ok


def test_identifier_rules_to_the_character() -> None:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"
    assert is_identifier(letters + "0123456789")
    assert is_identifier("_")
    assert not is_identifier("")
    assert not is_identifier(letters + "-")
    assert is_kebab("abcdefghijklmnopqrstuvwxyz0123456789")
    assert is_kebab("a-b1-c2d")
    assert not is_kebab("a-B")


def test_as_enum_is_named_after_the_contract_with_a_member_per_code() -> None:
    Exit = full().as_enum()
    assert Exit.__name__ == "RAID"
    assert [(m.name, m.value) for m in Exit] == [("SUCCESS", 0), ("NOT_FOUND", 5)]
    assert make().as_enum().__name__ == "MY_TOOL"


def test_a_contract_is_a_collection_of_its_exits() -> None:
    import exitkit

    proxxx = exitkit.load("proxxx")
    assert 5 in proxxx and "not-found" in proxxx and "5" in proxxx
    assert 99 not in proxxx and "nope" not in proxxx and 256 not in proxxx
    assert True not in proxxx and 5.0 not in proxxx and None not in proxxx
    assert len(proxxx) == 8 and [e.code for e in proxxx] == list(range(8))
    assert bool(proxxx)


@pytest.mark.parametrize("call", [
    lambda c: c[5.0], lambda c: c[True], lambda c: c.lookup(None),
])
def test_a_lookup_by_anything_but_a_code_or_name_is_a_type_error(call: Any) -> None:
    import exitkit

    with pytest.raises(TypeError, match="looked up by its code"):
        call(exitkit.load("proxxx"))
    with pytest.raises(TypeError, match=r"\bfloat 5\.0\b"):  # says what it was given
        exitkit.load("proxxx")[5.0]  # type: ignore[index]


def test_load_takes_a_path_object_and_nothing_else(tmp_path: Path) -> None:
    import exitkit

    path = tmp_path / "proxxx"  # a path, even without a slash or .toml
    path.write_text((ROOT / "src/exitkit/contracts/builtin/proxxx.toml").read_text())
    assert exitkit.load(path).name == "proxxx"
    assert exitkit.explain(5, path).exit.name == "not-found"  # explain() takes one too
    with pytest.raises(TypeError, match="name or a path"):
        exitkit.load(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="a Contract, a name or a path"):
        exitkit.explain(5, 42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="a status"):
        exitkit.explain(5.5)  # type: ignore[arg-type]


def test_a_contract_and_its_rows_are_read_only_and_compare_by_value(tmp_path: Path) -> None:
    """Found by review: `load("proxxx")` gives every caller the same object, and setting an
    attribute on it changed what every later load saw; two loads of one file compared unequal."""
    import copy
    import pickle

    import exitkit

    proxxx = exitkit.load("proxxx")
    rows = [proxxx, proxxx[5], proxxx.errors[0], proxxx.stderr]
    for obj in rows:
        with pytest.raises(AttributeError, match="is read-only"):
            obj.name = "changed"  # type: ignore[misc]
        with pytest.raises(AttributeError, match=f"^{type(obj).__name__} is read-only"):
            del obj.meaning  # type: ignore[attr-defined]
    assert exitkit.load("proxxx")[5].name == "not-found"
    path = tmp_path / "proxxx.toml"
    path.write_text((ROOT / "src/exitkit/contracts/builtin/proxxx.toml").read_text())
    again = exitkit.load(path)
    assert again is not proxxx and again == proxxx and hash(again) == hash(proxxx)
    assert again.origin != proxxx.origin  # where it came from is not part of its value
    assert len({proxxx, again}) == 1
    # hashes that tell values apart, not one for all (a set of rows would be a list)
    assert len({hash(contract) for contract in (proxxx, exitkit.load("rune"))}) == 2
    for table in (proxxx.exits, proxxx.errors, [StderrRules(["^Error"]), StderrRules((), "C")]):
        assert len({hash(row) for row in table}) == len(table) > 1
    assert exitkit.load("rune") != proxxx
    for twin in (copy.copy(proxxx), copy.deepcopy(proxxx), pickle.loads(pickle.dumps(proxxx))):
        assert twin == proxxx and twin[5] == proxxx[5] and twin.lookup("not-found") is not None
        with pytest.raises(AttributeError, match="is read-only"):
            twin.summary = "changed"  # type: ignore[misc]

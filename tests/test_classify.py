"""Outcome rows: how a contract declares them, and how stderr's lines decide which holds."""

from __future__ import annotations

import random
from typing import Any

import pytest

from exitkit.contracts import classify
from exitkit.contracts.classify import Lines, quote
from exitkit.contracts.loader import parse_contract
from exitkit.contracts.model import Contract

BASE: dict[str, Any] = {
    "name": "tool",
    "version": "1.0.0",
    "exit": [
        {"code": 0, "name": "ok", "kind": "success", "meaning": "Done"},
        {"code": 1, "name": "error", "kind": "failure", "meaning": "Failed"},
        {"code": 3, "name": "other", "kind": "failure", "meaning": "Failed otherwise"},
    ],
    "outcome": [
        {"name": "not-found", "kind": "not-found", "codes": [1], "pattern": "^E: .* not found$",
         "meaning": "Gone"},
        {"name": "denied", "kind": "auth", "codes": [1, 3], "pattern": "^E: .* denied$",
         "meaning": "No"},
    ],
}


def contract(**changes: Any) -> Contract:
    data = dict(BASE, **changes)
    found, problems = parse_contract(data, "tool.toml")
    assert found is not None, [str(p) for p in problems]
    return found


def problems(**changes: Any) -> list[str]:
    return [str(p) for p in parse_contract(dict(BASE, **changes), "tool.toml")[1]]


def heard(c: Contract, *chunks: bytes) -> Lines:
    lines = Lines(c)
    for chunk in chunks:
        lines.feed(chunk)
    lines.close()
    return lines


# --- the format -------------------------------------------------------------------------------


def test_outcome_rows_load_and_round_trip() -> None:
    c = contract(stderr={"errors": ["^E: "], "locale": "C"})
    assert [o.name for o in c.outcomes] == ["not-found", "denied"]
    assert c.outcome("denied").codes == (1, 3)  # type: ignore[union-attr]
    assert c.stderr.errors == ("^E: ",) and c.stderr.locale == "C"
    data = c.to_dict()
    assert data["stderr"] == {"errors": ["^E: "], "locale": "C"}
    assert data["outcome"][0] == {"name": "not-found", "kind": "not-found", "meaning": "Gone",
                                  "codes": [1], "pattern": "^E: .* not found$",
                                  "retryable": False}
    again, _ = parse_contract(data, "again.toml")
    assert again is not None and again.to_dict() == data
    assert [o.name for o in c.select_outcomes("auth")] == ["denied"]
    assert c.select_outcomes("nothing") == [] and c.lookup("not-found") is None


@pytest.mark.parametrize(("row", "message"), [
    ({"codes": [1]}, "outcome[0].pattern: is required"),
    ({"codes": [1], "pattern": "("}, "outcome[0].pattern: is not a regular expression"),
    ({"codes": [1], "pattern": ""}, "outcome[0].pattern: must not be empty"),
    ({"codes": [1], "pattern": "x*"}, "outcome[0].pattern: matches an empty line"),
    ({"codes": [1], "pattern": 5}, "outcome[0].pattern: must be a regular expression"),
    ({"pattern": "x"}, "outcome[0].codes: is required"),
    ({"codes": [], "pattern": "x"}, "outcome[0].codes: must be a list of exit codes"),
    ({"codes": [0], "pattern": "x"}, "outcome[0].codes[0]: 0 is success"),
    ({"codes": [2], "pattern": "x"}, "outcome[0].codes[0]: 2 is not one of the contract's"),
    ({"codes": [1, 1], "pattern": "x"}, "outcome[0].codes: lists a code twice"),
    ({"codes": [256], "pattern": "x"}, "outcome[0].codes[0]: must be an exit code 1..255"),
    ({"codes": [True], "pattern": "x"}, "outcome[0].codes[0]: must be an exit code"),
    ({"codes": [1], "pattern": "x", "name": "error"},
     "outcome[0].name: 'error' is already an [[exit]] name"),
    ({"codes": [1], "pattern": "x", "kind": "gone"}, "outcome[0].kind: unknown kind 'gone'"),
    ({"codes": [1], "pattern": "x", "name": "Not Found"}, "outcome[0].name: must be kebab-case"),
    ({"codes": [1], "pattern": "x", "colour": "red"}, "outcome[0].colour: unknown key"),
    ({"codes": [1], "pattern": "x", "retryable": "yes"},
     "outcome[0].retryable: must be true or false"),
])
def test_bad_outcome_rows_are_named_with_their_path(row: dict[str, Any], message: str) -> None:
    full = {"name": "gone", "kind": "not-found", "meaning": "Gone", **row}
    found = problems(outcome=[full])
    assert any(message in p for p in found), found


def test_outcome_names_are_unique_and_the_stderr_table_is_checked() -> None:
    row = BASE["outcome"][0]
    assert any("outcome[1].name: duplicate outcome 'not-found' (also outcome[0])" in p
               for p in problems(outcome=[row, row]))
    assert any("stderr.locale: must be \"C\"" in p for p in problems(stderr={"locale": "de"}))
    assert any("stderr.errors[1]: is not a regular expression" in p
               for p in problems(stderr={"errors": ["^E", "["]}))
    assert any("stderr.errors: must be a list" in p for p in problems(stderr={"errors": "^E"}))
    assert any("stderr.colour: unknown key" in p for p in problems(stderr={"colour": 1}))
    assert any("stderr: must be a table" in p for p in problems(stderr="C"))
    assert any("outcome: must be [[outcome]] tables" in p for p in problems(outcome={}))


# --- reading the lines ------------------------------------------------------------------------


def test_an_outcome_holds_only_for_its_codes_and_when_every_error_is_accepted() -> None:
    c = contract()
    lines = heard(c, b"E: a not found\nE: b not found\n")
    assert lines.holds(1, {"not-found"}).name == "not-found"  # type: ignore[union-attr]
    assert lines.holds(3, {"not-found"}) is None  # 3 is not among its codes
    assert lines.holds(0, {"not-found"}) is None
    assert lines.holds(1, set()) is None
    mixed = heard(c, b"E: a not found\nE: b denied\n")
    assert mixed.holds(1, {"not-found"}) is None
    assert mixed.unexplained(1, {"not-found"}) == "E: b denied"
    assert mixed.holds(1, {"not-found", "denied"}).name == "not-found"  # type: ignore[union-attr]
    assert mixed.recognised(1) is None  # neither alone says it all
    denied = heard(c, b"E: b denied\n")
    assert denied.recognised(3).name == "denied"  # type: ignore[union-attr]
    assert denied.holds(3, {"not-found"}) is None


def test_error_lines_must_each_be_explained_when_the_contract_names_them() -> None:
    c = contract(stderr={"errors": ["^E: "]})
    assert heard(c, b"noise\nE: x not found\nmore noise\n").holds(1, {"not-found"})
    unexplained = heard(c, b"E: x not found\nE: disk on fire\n")
    assert unexplained.holds(1, {"not-found"}) is None
    assert unexplained.unexplained(1, {"not-found"}) == "E: disk on fire"
    # without [stderr] errors, only lines that match some outcome are error lines
    assert heard(contract(), b"E: x not found\nE: disk on fire\n").holds(1, {"not-found"})


@pytest.mark.parametrize("raw", [
    b"\x1b[1;31mE: x not found\x1b[0m\n",
    b"\x1b]0;title\x07E: x not found\n",
    b"\x1b]8;;http://x\x1b\\E: x not found\n",
    b"E: x not found\r\n",
    b"50%\r75%\rE: x not found",
    b"\xff\xfe\nE: x not found\n",
])
def test_escapes_carriage_returns_and_bad_bytes_do_not_hide_a_line(raw: bytes) -> None:
    assert heard(contract(), raw).holds(1, {"not-found"}) is not None


def test_any_split_of_the_bytes_reads_the_same() -> None:
    text = (b"\x1b[31mE: a not found\x1b[0m\r\nnoise \xe2\x82\xac\nE: b denied\r"
            b"E: c not found\n" * 3)
    whole = heard(contract(), text)
    rng = random.Random(7)
    for _ in range(200):
        cuts = sorted(rng.sample(range(1, len(text)), rng.randint(1, 12)))
        parts = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
        split = heard(contract(), *parts)
        assert (split.matched, split.explanations, split.lines, split.tail) == (
            whole.matched, whole.explanations, whole.lines, whole.tail)


def test_long_lines_are_capped_and_memory_stays_bounded() -> None:
    c = contract()
    lines = Lines(c)
    lines.feed(b"E: x not found" + b"y" * 100_000)
    assert len(lines._pending) <= classify.LINE_CAP * 4
    lines.feed(b" not found\n")
    lines.close()
    assert lines.holds(1, {"not-found"}) is None  # its end was never looked at
    for _ in range(1000):
        lines.feed(b"z" * 1000 + b"\n")
    assert len(lines.tail) <= classify.TAIL_CAP
    capped = heard(c, b"E: " + b"x" * (classify.LINE_CAP - 20) + b" not found\n")
    assert capped.holds(1, {"not-found"}) is not None


def test_quotes_are_short_and_stripped() -> None:
    assert quote("  E: x not found \n") == "E: x not found"
    assert quote("x" * 500) == "x" * (classify.QUOTE_CAP - 1) + "…"


# --- lint's advice ----------------------------------------------------------------------------


def warnings(**changes: Any) -> list[str]:
    return [str(p) for p in parse_contract(dict(BASE, **changes), "t.toml")[1]
            if p.severity == "warning"]


def test_lint_warns_on_translated_text_unless_the_locale_is_pinned() -> None:
    found = warnings(name="git")
    assert len(found) == 2 and all("git prints git's messages in the user's language" in w
                                   for w in found)
    assert "outcome[0].pattern" in found[0]
    assert warnings(name="git", stderr={"locale": "C"}) == []
    assert any("GNU coreutils" in w for w in warnings(name="anything", match={"command": "rm"}))
    assert warnings() == []


def test_lint_names_the_tools_own_way_until_the_row_mentions_it() -> None:
    found = warnings(name="kubectl")
    assert len(found) == 1 and "outcome[0]: warning: kubectl has its own way to accept this: " \
        "kubectl's --ignore-not-found" in found[0]
    quiet = [dict(BASE["outcome"][0], recovery="Use kubectl delete --ignore-not-found where "
                  "one command suffices"), BASE["outcome"][1]]
    assert warnings(name="kubectl", outcome=quiet) == []
    assert any("helm uninstall --ignore-not-found (Helm 3.13.0 and later)" in w
               for w in warnings(name="helm"))

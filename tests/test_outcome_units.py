"""Outcomes from stderr, decision by decision, in-process: the classifier's bounds and choices,
the policy, the result record and the GitHub reporter. The end-to-end tests (test_capture.py)
run exitkit as a child, which mutation testing cannot see; these pin each line it can."""

from __future__ import annotations

import re

import pytest

from exitkit.contracts import classify
from exitkit.contracts.classify import Lines, quote
from exitkit.contracts.loader import parse_contract
from exitkit.contracts.model import Contract, OutcomeRow, StderrRules
from exitkit.run import policy
from exitkit.run.options import parse_args
from exitkit.run.report import github
from exitkit.run.result import RunResult

DATA = {
    "name": "tool",
    "version": "1.0.0",
    "exit": [
        {"code": 0, "name": "ok", "kind": "success", "meaning": "Done"},
        {"code": 1, "name": "error", "kind": "failure", "meaning": "Failed"},
    ],
    "outcome": [
        {"name": "gone", "kind": "not-found", "codes": [1], "pattern": "^E: (.*) not found$",
         "meaning": "Gone"},
        {"name": "busy", "kind": "rate-limited", "codes": [1], "pattern": "^E: busy",
         "meaning": "Busy"},
    ],
}


def contract(**changes: object) -> Contract:
    found, problems = parse_contract(dict(DATA, **changes), "tool.toml")
    assert found is not None, problems
    return found


def read(c: Contract, *chunks: bytes) -> Lines:
    lines = Lines(c)
    for chunk in chunks:
        lines.feed(chunk)
    lines.close()
    return lines


# --- the classifier -------------------------------------------------------------------------


def test_lines_are_counted_and_the_first_matching_line_is_kept() -> None:
    lines = read(contract(), b"one\nE: a not found\nE: b not found\r\nlast")
    assert lines.lines == 5  # \r\n ends a line twice: the empty one between counts too
    assert lines.matched == {"gone": "E: a not found"}
    assert lines.holds(1, {"gone"}).name == "gone"  # type: ignore[union-attr]


def test_the_tail_keeps_exactly_the_last_lines_that_fit() -> None:
    # 100 characters each, 101 with the line end that joins them in the tail
    lines = read(contract(), *[f"{'x' * 97}{i:03d}\n".encode() for i in range(100)])
    kept = lines.tail.split("\n")
    fits = classify.TAIL_CAP // 101
    assert len(kept) == fits and kept[-1].endswith("099") and kept[0].endswith(f"{100 - fits:03d}")
    assert len(lines.tail) <= classify.TAIL_CAP
    one = read(contract(), b"y" * (classify.TAIL_CAP * 2) + b"\n")
    assert one.tail == "y" * classify.TAIL_CAP  # one line longer than the tail: its start
    mixed = read(contract(), b"short\n", b"z" * (classify.TAIL_CAP - 3) + b"\n")
    assert mixed.tail == "z" * (classify.TAIL_CAP - 3)  # "short" no longer fits beside it
    assert read(contract(), b"a\nb\n").tail == "a\nb"
    assert read(contract(), b"a\n", b"b\n").tail == "a\nb"


def test_the_tail_at_exactly_its_cap() -> None:
    half = classify.TAIL_CAP // 2 - 1  # two lines of it, each with its line end: the cap exactly
    a, b = "a" * half, "b" * half
    assert read(contract(), f"{a}\n{b}\n".encode()).tail == f"{a}\n{b}"  # one read
    assert read(contract(), f"{a}\n".encode(), f"{b}\n".encode()).tail == f"{a}\n{b}"  # two
    # one character more: only the last line fits, read at once or in two reads
    longer = "a" * (half + 1)
    assert read(contract(), f"{longer}\n{b}\n".encode()).tail == b
    assert read(contract(), f"{longer}\n".encode(), f"{b}\n".encode()).tail == b
    # three lines of a third of the cap each (their line ends make them too many): the last two
    third = ["x" * (classify.TAIL_CAP // 3), "y" * (classify.TAIL_CAP // 3),
             "z" * (classify.TAIL_CAP // 3)]
    assert read(contract(), ("\n".join(third) + "\n").encode()).tail == "\n".join(third[1:])


def test_a_tail_of_one_line_at_its_cap_outlives_blank_lines() -> None:
    # the line alone fills the tail (with its line end, one over); blank lines read later add
    # nothing and take nothing away
    long = b"w" * (classify.TAIL_CAP + 100)
    assert read(contract(), long + b"\n", b"\n", b"\n\n").tail == "w" * classify.TAIL_CAP


def test_nothing_unexplained_is_none() -> None:
    quiet = read(contract(), b"all good\n")
    assert quiet.unexplained(1, ()) is None  # no error line at all
    gone = read(contract(), b"E: a not found\n")
    assert gone.unexplained(1, {"gone"}) is None
    assert gone.unexplained(1, {"busy"}) == "E: a not found"


def test_patterns_that_cannot_be_combined_keep_their_meaning() -> None:
    # each pattern's \1 is its own first group: combined, the second would name the first's
    search = classify._any_of([re.compile(r"(a)\1"), re.compile(r"(b)\1")])
    assert search is not None
    assert search("xx bb xx") and search("aa") and not search("ab")
    plain = classify._any_of([re.compile("not found"), re.compile("gone")])
    assert plain is not None and plain("it is gone") and not plain("here")
    assert classify._any_of([]) is None


def test_a_long_line_is_held_to_its_cap_however_it_arrives() -> None:
    """Memory stays bounded: the start of a line whose end has not come is kept up to the cap in
    bytes (four per character at most), whatever the reads."""
    lines = Lines(contract())
    for _ in range(40):
        lines.feed(b"q" * 1000)
    assert len(lines._pending) == classify.LINE_CAP * 4
    lines.feed(b"\nnext")
    assert lines._pending == bytearray(b"next")


def test_a_line_longer_than_the_cap_is_judged_by_its_start() -> None:
    c = contract()
    start = read(c, b"E: x not found" + b" " * classify.LINE_CAP + b"\n")
    assert start.matched == {}  # "$" no longer at the cut end
    c2 = contract(outcome=[dict(DATA["outcome"][1])])  # type: ignore[call-overload]
    busy = read(c2, b"E: busy" + b"." * (classify.LINE_CAP * 5) + b"\n")
    assert list(busy.matched) == ["busy"] and len(busy.matched["busy"]) == classify.LINE_CAP
    late = read(c2, b"." * (classify.LINE_CAP + 10) + b"E: busy\n")
    assert late.matched == {}
    split = read(c2, b"E: bu", b"sy" + b"." * (classify.LINE_CAP * 5), b"." * 100 + b"\nnext\n")
    assert list(split.matched) == ["busy"] and split.lines == 2
    assert split.tail == "next"  # the long line no longer fits beside it


def test_bytes_are_decoded_per_line_and_escapes_removed() -> None:
    lines = read(contract(), b"\xff\xfeE: \x1b[1mx\x1b[0m not found\n")
    assert lines.matched == {}  # the replacement characters come before "E:"
    lines = read(contract(), b"E: \x1b[1mx\x1b[0m not found\n\xe2\x82")
    assert lines.matched == {"gone": "E: x not found"}
    assert lines.tail == "E: x not found\n\ufffd"


@pytest.mark.parametrize("errors", [[], ["^E: "]])
def test_patterns_with_groups_are_searched_one_by_one(errors: list[str]) -> None:
    c = contract(stderr={"errors": errors}, outcome=[
        {"name": "gone", "kind": "not-found", "codes": [1],
         "pattern": "(?i)^e: (?P<o>.*) not found$", "meaning": "Gone"},
        {"name": "twice", "kind": "conflict", "codes": [1], "pattern": r"^(\w+) \1$",
         "meaning": "Twice"}])
    lines = read(c, b"E: x NOT FOUND\nab ab\nab cd\n")
    assert lines.matched == {"gone": "E: x NOT FOUND", "twice": "ab ab"}
    assert lines.holds(1, {"gone", "twice"}) is not None
    # "ab ab" is an error line by its pattern without [stderr] errors, and not with "^E: "
    assert (lines.holds(1, {"gone"}) is None) == (not errors)
    assert read(c, b"nothing here\n").matched == {}


def test_quotes_are_cut_at_the_cap_exactly() -> None:
    assert quote("x" * 10, cap=10) == "x" * 10
    assert quote("x" * 11, cap=10) == "x" * 9 + "…"
    assert len(quote("y" * 1000)) == classify.QUOTE_CAP


# --- the model ------------------------------------------------------------------------------


def test_outcome_rows_keep_an_explicit_retryable_and_stderr_rules_compare_by_value() -> None:
    row = OutcomeRow("busy", "rate-limited", "Busy", [1], "^E: busy", retryable=False)
    assert row.retryable is False
    assert OutcomeRow("busy", "rate-limited", "Busy", [1], "^E: busy").retryable is True
    assert StderrRules(["^E"], "C") == StderrRules(("^E",), "C")
    assert StderrRules(["^E"]) != StderrRules(["^F"])
    assert StderrRules() != "not rules"


# --- the policy -----------------------------------------------------------------------------


def options(*args: str):  # type: ignore[no-untyped-def]
    found = parse_args([*args, "--", "tool"])
    assert found is not None
    return found


def test_retry_outcomes_are_the_outcomes_retry_on_names() -> None:
    c = contract()
    assert policy.retry_outcomes(options("--retry-on", "busy"), c) == {"busy"}
    assert policy.retry_outcomes(options("--retry-on", "rate-limited,1"), c) == {"busy"}
    assert policy.retry_outcomes(options("--retry-on", "error"), c) == set()
    assert policy.retry_outcomes(options(), c) == set()
    assert policy.retry_outcomes(options("--retry-on", "busy"), None) == set()
    plain = contract(outcome=[])
    assert policy.retry_outcomes(options("--retry-on", "error"), plain) == set()


def test_codes_select_outcomes_by_name_and_kind() -> None:
    chosen = policy.codes("--ok", ["gone", "rate-limited", "error"], contract())
    assert (chosen.codes, chosen.outcomes) == ({1}, {"gone", "busy"})


def test_an_outcome_tolerates_only_a_plain_failure() -> None:
    row = contract().outcomes[0]
    ok = policy.CodeSet()
    assert policy.verdict(1, timed_out=False, signal=None, ok=ok, heard=row) == "tolerated"
    assert policy.verdict(1, timed_out=False, signal=None, ok=ok) == "failure"
    assert policy.verdict(124, timed_out=True, signal=None, ok=ok, heard=row) == "timeout"
    assert policy.verdict(143, timed_out=False, signal=15, ok=ok, heard=row) == "signal"


def test_a_label_looks_its_row_up_when_asked() -> None:
    c = contract()
    assert policy.Label(c, 1).resolve() is c.lookup(1)
    assert policy.Label(None, 127).resolve().name == "command-not-found"  # type: ignore[union-attr]
    assert policy.Label(c, 42).resolve() is None
    record = RunResult(argv=["tool"], tool="tool", contract="tool", status=1, exit_code=1,
                       outcome="failure", entry=policy.Label(c, 1))
    assert record.entry is c.lookup(1) and record.name == "error"


# --- the record and the GitHub reporter ------------------------------------------------------


def record(**fields: object) -> RunResult:
    values: dict[str, object] = {"argv": ["tool", "rm", "x"], "tool": "tool", "contract": "tool",
                                 "status": 1, "exit_code": 0, "outcome": "tolerated",
                                 "entry": contract().outcomes[0], "line": "E: x not found",
                                 "stderr_tail": "noise\nE: x not found"}
    values.update(fields)
    return RunResult(**values)  # type: ignore[arg-type]


def test_the_record_quotes_and_escapes_what_was_said() -> None:
    data = record(line="E: \x07x not found", stderr_tail="a\tb\nc").to_dict()
    assert (data["stderr_line"], data["stderr_tail"], data["stderr_line_refused"]) == (
        "E: \\x07x not found", "a\\tb\nc", False)
    assert record().said == " (stderr: E: x not found)"
    assert record(line_refused=True).said == " (not tolerated by --ok: E: x not found)"
    assert record(line=None).said == ""
    none = record(line=None, stderr_tail=None).to_dict()
    assert (none["stderr_line"], none["stderr_tail"]) == (None, None)


def test_the_annotation_and_summary_quote_the_line() -> None:
    assert github.annotation(record()) == (
        "::notice title=tool%3A gone tolerated::tool rm x exited 1 (gone); tolerated by --ok"
        "%0Astderr: E: x not found")
    refused = record(exit_code=1, outcome="failure", line="E: y forbidden", line_refused=True)
    assert github.annotation(refused).endswith(
        "::tool rm x exited 1 (gone): Gone%0Anot tolerated by --ok: E: y forbidden")
    assert github.summary(record()) == (
        "- `tool rm x` → exit 1 (gone): **tolerated** — Gone (stderr: `E: x not found`)\n")
    assert github.summary(refused).endswith(
        " — Gone (not tolerated by --ok: `E: y forbidden`)\n")
    assert github.summary(record(line=None)) == (
        "- `tool rm x` → exit 1 (gone): **tolerated** — Gone\n")
    assert "stderr" not in github.annotation(record(line=None))

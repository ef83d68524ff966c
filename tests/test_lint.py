"""Lint over a corpus of broken files: each file states the messages it must produce."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import run_exitkit
from exitkit.contracts.loader import lint_file

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BAD = sorted((FIXTURES / "bad").glob("*.toml"))


def expectations(path: Path, marker: str) -> list[str]:
    prefix = f"# {marker}: "
    return [
        line[len(prefix):].rstrip("\n")
        for line in path.read_bytes().decode("utf-8", "replace").splitlines()
        if line.startswith(prefix)
    ]


def test_the_corpus_is_not_empty() -> None:
    assert len(BAD) >= 15


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_each_broken_file_produces_its_message(path: Path) -> None:
    contract, problems = lint_file(str(path))
    assert contract is None
    lines = [str(p) for p in problems if p.severity == "error"]
    wanted = expectations(path, "expect")
    assert wanted, f"{path.name} states no expected message"
    for expected in wanted:
        assert any(expected in line for line in lines), (expected, lines)
    assert all(line.startswith(str(path)) for line in lines)


def test_shell_collisions_are_warnings_unless_the_kind_says_so() -> None:
    path = FIXTURES / "warn" / "shell_collisions.toml"
    contract, problems = lint_file(str(path))
    assert contract is not None
    lines = [str(p) for p in problems]
    assert all(p.severity == "warning" for p in problems)
    for expected in expectations(path, "expect-warning"):
        assert any(expected in line for line in lines), (expected, lines)
    assert len(problems) == 2  # 126 with kind not-executable is intended


def test_cli_lint_prints_every_problem_and_fails(tmp_path: Path) -> None:
    result = run_exitkit("lint", *map(str, BAD))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    for path in BAD:
        for expected in expectations(path, "expect"):
            assert expected in result.stdout
    assert "error(s)" in result.stderr


def test_cli_lint_passes_with_warnings_and_strict_fails() -> None:
    path = str(FIXTURES / "warn" / "shell_collisions.toml")
    assert run_exitkit("lint", path).returncode == 0
    assert run_exitkit("lint", "--strict", path).returncode == 1


def test_cli_lint_json() -> None:
    import json

    result = run_exitkit("lint", "--json", str(FIXTURES / "bad" / "code_out_of_range.toml"))
    data = json.loads(result.stdout)
    assert result.returncode == 1
    assert data["errors"] == 1
    assert data["problems"][0]["path"] == "exit[1].code"


def test_cli_lint_on_a_directory_and_a_missing_file_says_so(tmp_path: Path) -> None:
    result = run_exitkit("lint", str(tmp_path), str(tmp_path / "missing.toml"))
    assert result.returncode == 1
    assert "is a directory" in result.stdout
    assert "no such file" in result.stdout
    assert "Traceback" not in result.stderr


def test_builtin_contract_files_lint_clean() -> None:
    root = Path(__file__).resolve().parent.parent / "src" / "exitkit" / "contracts" / "builtin"
    files = sorted(root.glob("*.toml"))
    assert len(files) >= 13
    result = run_exitkit("lint", "--strict", *map(str, files))
    assert result.returncode == 0, result.stdout


def test_odd_files_are_problems_not_crashes(tmp_path: Path) -> None:
    import os

    deep = tmp_path / "deep.toml"
    deep.write_text("a=" + "[" * 3000 + "]" * 3000 + "\n")
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.toml"
    huge.write_bytes(b"#" * (2 << 20))
    result = run_exitkit("lint", str(deep), str(fifo), "/dev/zero", str(huge), timeout=30)
    assert result.returncode == 1
    assert "nested too deeply" in result.stdout
    assert result.stdout.count("is not a regular file") == 2
    assert "larger than 1 MiB" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_file_named_unlike_its_contract_gets_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "true.toml"
    path.write_text('name = "other"\nversion = "1.0.0"\nsummary = "s"\n[[exit]]\ncode = 0\n'
                    'name = "success"\nkind = "success"\nmeaning = "OK"\n')
    _, problems = lint_file(str(path))
    assert [p.severity for p in problems] == ["warning"]
    assert "differs from the file name 'true'" in str(problems[0])


# --- one pass, control characters, one version rule -------------------------------------------


ROW = 'code = {code}\nname = "{name}"\nkind = "{kind}"\nmeaning = "{meaning}"\n'


def write_contract(tmp_path: Path, *rows: dict[str, object], version: str = "1.0.0") -> Path:
    path = tmp_path / "t.toml"
    body = "".join("\n[[exit]]\n" + ROW.format(**row) for row in rows)
    path.write_text(f'name = "t"\nversion = {json.dumps(version)}\n{body}')
    return path


def test_a_duplicate_is_reported_in_the_same_pass_as_the_rows_other_problems(
        tmp_path: Path) -> None:
    path = write_contract(
        tmp_path, {"code": 0, "name": "ok", "kind": "success", "meaning": "m"},
        {"code": 0, "name": "ok", "kind": "bogus", "meaning": "m"},
        {"code": 300, "name": "ok", "kind": "failure", "meaning": "m"})
    result = run_exitkit("lint", str(path))
    assert result.stdout.splitlines() == [
        f"{path}: exit[1].kind: unknown kind 'bogus'",
        f"{path}: exit[1].code: duplicate code 0 (also exit[0])",
        f"{path}: exit[1].name: duplicate name 'ok' (also exit[0])",
        f"{path}: exit[2].code: must be 0..255, got 300",
        f"{path}: exit[2].name: duplicate name 'ok' (also exit[0])",
    ]


@pytest.mark.parametrize(("text", "shown"), [
    ("\\u001b[31mred", "\\x1b"),
    ("bell\\u0007", "\\x07"),
    ("carriage\\rreturn", "\\r"),
    ("c1 \\u009b control", "\\x9b"),
    ("del\\u007f", "\\x7f"),
])
def test_control_characters_are_a_warning_and_an_error_with_strict(
        tmp_path: Path, text: str, shown: str) -> None:
    path = write_contract(tmp_path, {"code": 0, "name": "ok", "kind": "success", "meaning": text})
    lax = run_exitkit("lint", str(path))
    assert lax.returncode == 0
    assert lax.stdout == (f"{path}: exit[0].meaning: warning: contains control characters "
                          f"({shown}) that a terminal would act on; exitkit shows them escaped, "
                          "other programs may not\n")
    assert run_exitkit("lint", "--strict", str(path)).returncode == 1


def test_tabs_and_line_feeds_are_text(tmp_path: Path) -> None:
    path = write_contract(tmp_path, {"code": 0, "name": "ok", "kind": "success",
                                     "meaning": "two\\nlines\\tand a tab"})
    assert run_exitkit("lint", "--strict", str(path)).returncode == 0


@pytest.mark.parametrize("version", ["1.0.0-\nx", "1.0.0-rc..1", "1.0.0+", "1.0.0-", "1.0.0-a b",
                                     "1.0.0+build$(id)", "1.0.0-é"])
def test_a_version_lint_accepts_is_one_exitkit_shell_prints(tmp_path: Path,
                                                            version: str) -> None:
    path = write_contract(tmp_path, {"code": 0, "name": "ok", "kind": "success", "meaning": "m"},
                          version=version)
    result = run_exitkit("lint", "--strict", str(path))
    assert result.returncode == 1
    assert "version: must be a semantic version like '1.0.0'" in result.stdout


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=20).map(lambda t: "1.2.3" + t))
def test_every_version_lint_accepts_is_printable_by_the_shell_code(version: str) -> None:
    from exitkit.contracts.loader import is_semver
    from exitkit.shells.section import _word

    if is_semver(version):
        assert _word("version", version) == version


def test_an_error_row_with_two_problems_reports_both(tmp_path: Path) -> None:
    path = tmp_path / "q.toml"
    path.write_text('name = "q"\nversion = "1.0.0"\nsummary = "s"\n[[exit]]\ncode = 0\n'
                    'name = "success"\nkind = "success"\nmeaning = "ok"\n'
                    '[[error]]\ncode = 5\nexit = "nope"\nmeaning = "m"\n')
    result = run_exitkit("lint", str(path))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{path}: error[0].code: must be a string, got an integer",
        f"{path}: error[0].exit: names no [[exit]]: 'nope'",
    ]


def test_error_codes_no_lookup_reaches_are_warned_about(tmp_path: Path) -> None:
    """Found by review: an error code spelled like a status or an exit name is shadowed by the
    exit in `exitkit explain`, and one that differs from another only in case is found only in
    its exact spelling. Each is a warning; a distinct code is not."""
    rows = "".join(f'[[error]]\ncode = "{code}"\nexit = "not-found"\nmeaning = "m"\n'
                   for code in ("not-found", "5", "Denied", "DENIED", "OTHER"))
    path = tmp_path / "svc.toml"
    path.write_text('name = "svc"\nversion = "1.0.0"\n'
                    '[[exit]]\ncode = 0\nname = "ok"\nkind = "success"\nmeaning = "m"\n'
                    '[[exit]]\ncode = 5\nname = "not-found"\nkind = "not-found"\nmeaning = "m"\n'
                    + rows)
    contract, problems = lint_file(str(path))
    assert contract is not None
    warned = {p.path: p.message for p in problems if p.severity == "warning"}
    assert set(warned) == {"error[0].code", "error[1].code", "error[3].code"}
    assert "exitkit explain finds that first" in warned["error[0].code"]
    assert "reads as exit status 5" in warned["error[1].code"]
    assert "differs from error[2] only in case" in warned["error[3].code"]
    assert run_exitkit("explain", "-c", str(path), "OTHER").returncode == 0

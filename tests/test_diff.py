"""`exitkit diff`: each class of change gets its semver level; the verdict sets the exit status."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, Tools, run_exitkit
from exitkit.contracts.loader import load_file
from exitkit.contracts.stability import Report, bump, compare, contract_from_bytes, load_at_revision
from exitkit.errors import ExitkitError

BASE: dict[str, Any] = {
    "name": "svc",
    "version": "1.2.0",
    "summary": "Service CLI",
    "exit": [
        {"code": 0, "name": "success", "kind": "success", "meaning": "OK"},
        {"code": 1, "name": "failure", "kind": "failure", "meaning": "Generic failure"},
        {"code": 2, "name": "usage", "kind": "usage", "meaning": "Bad arguments"},
        {"code": 5, "name": "not-found", "kind": "not-found", "meaning": "Not found",
         "when": "404 from the API", "recovery": "Already gone: fine on teardown"},
        {"code": 7, "name": "busy", "kind": "transient", "meaning": "Server busy"},
    ],
    "error": [
        {"code": "NOT_FOUND", "exit": "not-found", "meaning": "No such thing",
         "hint": "Check the id"},
        {"code": "BUSY", "exit": "busy", "meaning": "Try later"},
    ],
}


def to_toml(data: dict[str, Any]) -> str:
    def value(v: object) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int):
            return str(v)
        return json.dumps(v, ensure_ascii=False)

    lines = [f"{k} = {value(v)}" for k, v in data.items() if not isinstance(v, list)]
    for table in ("exit", "error"):
        for row in data.get(table, []):
            lines += ["", f"[[{table}]]"] + [f"{k} = {value(v)}" for k, v in row.items()]
    return "\n".join(lines) + "\n"


def variant(**top: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data.update(top)
    return data


def exit_row(data: dict[str, Any], name: str) -> dict[str, Any]:
    row: dict[str, Any] = next(r for r in data["exit"] if r["name"] == name)
    return row


def error_row(data: dict[str, Any], code: str) -> dict[str, Any]:
    row: dict[str, Any] = next(r for r in data["error"] if r["code"] == code)
    return row


def write(path: Path, data: dict[str, Any]) -> str:
    path.write_text(to_toml(data), encoding="utf-8")
    return str(path)


def diff(tmp_path: Path, new: dict[str, Any], old: dict[str, Any] | None = None) -> Report:
    before = load_file(write(tmp_path / "old.toml", old or BASE))
    after = load_file(write(tmp_path / "new.toml", new))
    return compare(before, after)


def summary(report: Report) -> list[tuple[str, str, object, str]]:
    return [(c.level, c.what, c.code, c.change) for c in report.changes]


# --- classification --------------------------------------------------------------------------


def test_identical_contracts_have_no_changes(tmp_path: Path) -> None:
    report = diff(tmp_path, variant())
    assert report.changes == []
    assert (report.required, report.actual, report.ok) == ("none", "none", True)


def test_added_exit_code_is_minor(tmp_path: Path) -> None:
    new = variant(version="1.3.0")
    new["exit"].append({"code": 8, "name": "quota-exceeded", "kind": "rate-limited",
                        "meaning": "Quota exceeded"})
    report = diff(tmp_path, new)
    assert summary(report) == [("minor", "exit", 8, "added")]
    assert str(report.changes[0]) == "minor  exit 8: added 'quota-exceeded' (rate-limited)"
    assert report.required == "minor" and report.ok


def test_added_error_code_is_minor(tmp_path: Path) -> None:
    new = variant()
    new["error"].append({"code": "GONE", "exit": "not-found", "meaning": "Deleted"})
    report = diff(tmp_path, new)
    assert summary(report) == [("minor", "error", "GONE", "added")]
    assert "maps to 'not-found' (5)" in report.changes[0].message


def test_removed_exit_code_is_major(tmp_path: Path) -> None:
    new = variant()
    new["exit"] = [r for r in new["exit"] if r["name"] != "usage"]
    report = diff(tmp_path, new)
    assert summary(report) == [("major", "exit", 2, "removed")]
    assert str(report.changes[0]) == "major  exit 2: removed 'usage'"


def test_removed_error_code_is_major(tmp_path: Path) -> None:
    new = variant()
    new["error"] = [r for r in new["error"] if r["code"] != "BUSY"]
    assert summary(diff(tmp_path, new)) == [("major", "error", "BUSY", "removed")]


def test_renumbered_exit_is_major_and_matched_by_name(tmp_path: Path) -> None:
    new = variant()
    exit_row(new, "not-found")["code"] = 9
    report = diff(tmp_path, new)
    assert summary(report) == [("major", "exit", 5, "renumbered")]
    assert str(report.changes[0]) == "major  exit 5: renumbered 'not-found' → 9"


def test_renamed_exit_is_major_and_matched_by_code(tmp_path: Path) -> None:
    new = variant()
    exit_row(new, "not-found")["name"] = "gone"
    error_row(new, "NOT_FOUND")["exit"] = "gone"  # follows the rename: not a remap
    report = diff(tmp_path, new)
    assert summary(report) == [("major", "exit", 5, "renamed")]
    assert str(report.changes[0]) == "major  exit 5: renamed 'not-found' → 'gone'"


def test_rekinded_exit_is_major(tmp_path: Path) -> None:
    new = variant()
    exit_row(new, "not-found")["kind"] = "conflict"  # neither kind is retryable
    report = diff(tmp_path, new)
    assert summary(report) == [("major", "exit", 5, "re-kinded")]
    assert report.changes[0].message == "re-kinded not-found → conflict"


@pytest.mark.parametrize(
    ("name", "edit", "flipped"),
    [
        ("busy", {"retryable": False}, True),  # kind default true → explicit false
        ("busy", {"retryable": True}, False),  # explicit value equal to the kind default
        ("failure", {"kind": "failure", "retryable": True}, True),  # explicit true on failure
        ("busy", {"kind": "internal"}, True),  # re-kinding drops the default
        ("busy", {"kind": "network"}, False),  # from one retryable kind to another
    ],
)
def test_retryable_flip_is_major(
    tmp_path: Path, name: str, edit: dict[str, Any], flipped: bool
) -> None:
    new = variant()
    exit_row(new, name).update(edit)
    changes = summary(diff(tmp_path, new))
    code = exit_row(new, name)["code"]
    assert (("major", "exit", code, "retryable-flipped") in changes) is flipped
    assert all(level == "major" for level, *_ in changes)


def test_dropping_an_explicit_retryable_that_differs_from_the_default_flips_it(
    tmp_path: Path,
) -> None:
    old = variant()
    exit_row(old, "failure")["retryable"] = True
    report = diff(tmp_path, variant(), old=old)
    assert summary(report) == [("major", "exit", 1, "retryable-flipped")]
    assert report.changes[0].message == "retryable flipped true → false"


def test_error_mapped_to_another_exit_is_major(tmp_path: Path) -> None:
    new = variant()
    error_row(new, "BUSY")["exit"] = "failure"
    report = diff(tmp_path, new)
    assert summary(report) == [("major", "error", "BUSY", "remapped")]
    assert report.changes[0].message == "now maps to 'failure' (1), was 'busy' (7)"


@pytest.mark.parametrize(
    ("edit", "change"),
    [
        (lambda d: exit_row(d, "not-found").update(meaning="Nothing there"), "meaning-reworded"),
        (lambda d: exit_row(d, "not-found").update(when="HTTP 404"), "when-reworded"),
        (lambda d: exit_row(d, "not-found").pop("recovery"), "recovery-removed"),
        (lambda d: exit_row(d, "usage").update(recovery="See --help"), "recovery-added"),
        (lambda d: error_row(d, "NOT_FOUND").update(hint="Check the ID"), "hint-reworded"),
        (lambda d: error_row(d, "BUSY").update(meaning="Busy"), "meaning-reworded"),
        (lambda d: d.update(summary="The service CLI"), "summary-reworded"),
        (lambda d: d.update(source="https://example.org"), "source-changed"),
    ],
)
def test_reworded_text_is_patch(tmp_path: Path, edit: Any, change: str) -> None:
    new = variant()
    edit(new)
    report = diff(tmp_path, new)
    assert [(c.level, c.change) for c in report.changes] == [("patch", change)]
    assert report.required == "patch"


def test_prefix_change_is_major(tmp_path: Path) -> None:
    report = diff(tmp_path, variant(prefix="SVC_STATUS"))
    assert summary(report) == [("major", "contract", None, "prefix-changed")]
    assert str(report.changes[0]) == (
        "major  contract: prefix changed SVC_EXIT → SVC_STATUS: every shell constant is renamed")


def test_explicit_prefix_equal_to_the_default_is_no_change(tmp_path: Path) -> None:
    assert diff(tmp_path, variant(prefix="SVC_EXIT")).changes == []


def test_contract_name_change_is_major(tmp_path: Path) -> None:
    changes = summary(diff(tmp_path, variant(name="service", prefix="SVC_EXIT")))
    assert changes == [("major", "contract", None, "name-changed")]


def test_swapped_codes_are_two_renumberings(tmp_path: Path) -> None:
    new = variant()
    exit_row(new, "not-found")["code"], exit_row(new, "busy")["code"] = 7, 5
    assert summary(diff(tmp_path, new)) == [
        ("major", "exit", 5, "renumbered"), ("major", "exit", 7, "renumbered")]


def test_code_reused_after_its_name_moved_is_major(tmp_path: Path) -> None:
    new = variant()
    exit_row(new, "not-found")["code"] = 9
    new["exit"].append({"code": 5, "name": "conflict", "kind": "conflict", "meaning": "Clash"})
    report = diff(tmp_path, new)
    assert summary(report) == [
        ("major", "exit", 5, "renumbered"), ("major", "exit", 5, "repurposed")]
    assert "'not-found' moved to 9" in report.changes[1].message


def test_name_moved_onto_a_removed_code_reports_the_removal(tmp_path: Path) -> None:
    new = variant()
    new["exit"] = [r for r in new["exit"] if r["name"] != "not-found"]
    exit_row(new, "busy")["code"] = 5
    new["error"] = [r for r in new["error"] if r["code"] != "NOT_FOUND"]
    changes = summary(diff(tmp_path, new))
    assert ("major", "exit", 5, "removed") in changes
    assert ("major", "exit", 7, "renumbered") in changes
    assert ("major", "error", "NOT_FOUND", "removed") in changes
    # BUSY still maps to 'busy': its new number is the renumbering's news, not a remap
    assert len(changes) == 3


def test_field_changes_follow_a_renamed_exit(tmp_path: Path) -> None:
    new = variant()
    exit_row(new, "usage").update(name="bad-args", meaning="Bad command line")
    assert summary(diff(tmp_path, new)) == [
        ("major", "exit", 2, "renamed"), ("patch", "exit", 2, "meaning-reworded")]


def test_required_is_the_largest_level(tmp_path: Path) -> None:
    new = variant(summary="New summary")
    new["exit"].append({"code": 8, "name": "quota", "kind": "rate-limited", "meaning": "Quota"})
    assert diff(tmp_path, new).required == "minor"
    exit_row(new, "usage")["kind"] = "validation"
    assert diff(tmp_path, new).required == "major"


# --- versions and verdicts -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "actual"),
    [
        ("1.2.3", "2.0.0", "major"),
        ("1.2.3", "1.3.0", "minor"),
        ("1.2.3", "1.2.4", "patch"),
        ("1.2.3", "1.2.3", "none"),
        ("1.2.3", "1.2.3+build.5", "none"),
        ("1.2.3", "1.2.3-rc.1", "downgrade"),
        ("1.2.3-rc.2", "1.2.3-rc.1", "downgrade"),
        ("1.2.3-rc.10", "1.2.3-rc.9", "downgrade"),
        ("1.2.3-rc.1", "1.2.3-1", "downgrade"),
        ("1.2.3-rc.1", "1.2.3-rc.1.1", "none"),
        ("1.2.3-rc.9", "1.2.3-rc.10", "none"),
        ("1.2.3-rc.1", "1.2.3", "none"),
        ("1.2.3-rc.1", "1.2.4-rc.1", "patch"),
        ("1.2.3", "1.2.2", "downgrade"),
        ("2.0.0", "1.9.9", "downgrade"),
        ("0.4.1", "0.5.0", "minor"),
    ],
)
def test_bump(old: str, new: str, actual: str) -> None:
    assert bump(old, new) == actual


def test_verdict_too_small_names_the_version_needed(tmp_path: Path) -> None:
    new = variant(version="1.3.0")
    exit_row(new, "usage")["name"] = "bad-args"
    report = diff(tmp_path, new)
    assert not report.ok
    assert report.verdict == (
        "required: major; version 1.2.0 → 1.3.0 is minor: too small (needs 2.0.0 or later)")


def test_zero_x_allows_breaking_changes_in_a_minor_bump(tmp_path: Path) -> None:
    old = variant(version="0.2.0")
    new = variant(version="0.3.0")
    exit_row(new, "usage")["name"] = "bad-args"
    report = diff(tmp_path, new, old=old)
    assert report.ok and report.note
    assert report.verdict.endswith("is minor: ok (0.x: a minor bump may carry breaking changes)")
    # …but a patch bump still is not enough, and the message asks for the next 0.x minor
    report = diff(tmp_path, variant(version="0.2.1", **{"exit": new["exit"]}), old=old)
    assert not report.ok
    assert report.verdict.endswith("is patch: too small (needs 0.3.0 or later)")


def test_larger_bump_than_needed_is_ok(tmp_path: Path) -> None:
    report = diff(tmp_path, variant(version="2.0.0", summary="Reworded"))
    assert (report.required, report.actual, report.ok) == ("patch", "major", True)


def test_unchanged_version_with_no_changes_is_ok(tmp_path: Path) -> None:
    report = diff(tmp_path, variant())
    assert report.verdict == "required: none (no changes); version 1.2.0 → 1.2.0 is unchanged: ok"


# --- through the real console script ----------------------------------------------------------


def files(tmp_path: Path, new: dict[str, Any], old: dict[str, Any] | None = None) -> list[str]:
    return [write(tmp_path / "old.toml", old or BASE), write(tmp_path / "new.toml", new)]


def test_cli_too_small_bump_exits_1(tmp_path: Path) -> None:
    new = variant(version="1.3.0")
    exit_row(new, "not-found")["name"] = "gone"
    error_row(new, "NOT_FOUND")["exit"] = "gone"
    result = run_exitkit("diff", *files(tmp_path, new))
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "major  exit 5: renamed 'not-found' → 'gone'",
        "required: major; version 1.2.0 → 1.3.0 is minor: too small (needs 2.0.0 or later)",
    ]
    assert result.stderr == ""


def test_cli_sufficient_bump_exits_0(tmp_path: Path) -> None:
    new = variant(version="1.3.0")
    new["exit"].append({"code": 8, "name": "quota-exceeded", "kind": "rate-limited",
                        "meaning": "Quota exceeded"})
    exit_row(new, "not-found")["meaning"] = "Nothing there"
    result = run_exitkit("diff", *files(tmp_path, new))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "patch  exit 5: meaning reworded",
        "minor  exit 8: added 'quota-exceeded' (rate-limited)",
        "required: minor; version 1.2.0 → 1.3.0 is minor: ok",
    ]


def test_cli_downgrade_fails(tmp_path: Path) -> None:
    result = run_exitkit("diff", *files(tmp_path, variant(version="1.1.9")))
    assert result.returncode == 1
    assert result.stdout.strip().endswith("is a downgrade: not allowed")


def test_cli_reworded_text_without_a_bump_fails(tmp_path: Path) -> None:
    result = run_exitkit("diff", *files(tmp_path, variant(summary="Changed")))
    assert result.returncode == 1
    assert "needs 1.2.1 or later" in result.stdout


def test_cli_json_shape(tmp_path: Path) -> None:
    new = variant(version="2.0.0")
    new["error"].append({"code": "GONE", "exit": "not-found", "meaning": "Deleted"})
    exit_row(new, "usage")["kind"] = "validation"
    result = run_exitkit("diff", "--json", *files(tmp_path, new))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["old"] == {"name": "svc", "version": "1.2.0", "origin": str(tmp_path / "old.toml")}
    assert data["new"]["version"] == "2.0.0"
    assert data["changes"] == [
        {"level": "major", "what": "exit", "code": 2, "name": "usage", "change": "re-kinded",
         "message": "re-kinded usage → validation"},
        {"level": "minor", "what": "error", "code": "GONE", "name": "not-found",
         "change": "added", "message": "added, maps to 'not-found' (5)"},
    ]
    assert (data["required"], data["actual"], data["ok"], data["note"]) == (
        "major", "major", True, None)


def test_cli_json_failure_still_prints_the_report(tmp_path: Path) -> None:
    result = run_exitkit("diff", "--json", *files(tmp_path, variant(prefix="SVC")))
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["required"] == "major" and data["actual"] == "none"


def test_cli_builtin_by_name_against_an_edited_copy(world: Path) -> None:
    path = ROOT / "src" / "exitkit" / "contracts" / "builtin" / "proxxx.toml"
    text = path.read_text(encoding="utf-8")
    assert 'version = "1.0.0"' in text
    text = text.replace('version = "1.0.0"', 'version = "1.1.0"', 1)
    text += ('\n[[exit]]\ncode = 8\nname = "quota-exceeded"\nkind = "rate-limited"\n'
             'meaning = "Quota exceeded"\n')
    (world / "proxxx-next.toml").write_text(text, encoding="utf-8")
    result = run_exitkit("diff", "proxxx", "proxxx-next.toml")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "minor  exit 8: added 'quota-exceeded' (rate-limited)",
        "required: minor; version 1.0.0 → 1.1.0 is minor: ok",
    ]
    # and the other way round it is a removal and a downgrade
    back = run_exitkit("diff", "proxxx-next.toml", "proxxx")
    assert back.returncode == 1
    assert "major  exit 8: removed 'quota-exceeded'" in back.stdout


def test_cli_two_builtins_by_name(world: Path) -> None:
    result = run_exitkit("diff", "proxxx", "rune")
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == "major  contract: name changed 'proxxx' → 'rune'"


@pytest.mark.parametrize(
    ("args", "status", "words"),
    [
        (["only-one.toml"], 2, "missing argument NEW"),
        (["--git", "HEAD", "a.toml", "b.toml"], 2, "one FILE"),
        (["missing.toml", "svc"], 3, "no such file"),
        (["no-such-contract-xyz", "proxxx"], 3, "no contract named"),
    ],
)
def test_cli_usage_and_load_errors_are_clean(
    world: Path, args: list[str], status: int, words: str
) -> None:
    result = run_exitkit("diff", *args)
    assert result.returncode == status, result.stderr
    assert words in result.stderr
    assert result.stderr.startswith("exitkit: ")
    assert "Traceback" not in result.stderr


def test_cli_invalid_contract_is_a_load_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "svc"\n')
    result = run_exitkit("diff", write(tmp_path / "ok.toml", BASE), str(bad), "--json")
    assert result.returncode == 4
    assert json.loads(result.stderr)["error"]["code"] == "invalid-contract"


# --- --git REV FILE -----------------------------------------------------------------------------


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org",
                    "-c", "commit.gpgsign=false", *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository holding contracts/svc.toml at 1.2.0 (HEAD~1) and 1.2.1 (HEAD)."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(var, raising=False)
    repo = tmp_path / "repo"
    (repo / "contracts").mkdir(parents=True)
    git(repo, "init", "-q")
    write(repo / "contracts" / "svc.toml", BASE)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "v1.2.0")
    write(repo / "contracts" / "svc.toml", variant(version="1.2.1", summary="Reworded"))
    git(repo, "commit", "-q", "-am", "v1.2.1")
    return repo


def test_git_removed_code_with_a_minor_bump_fails(repo: Path) -> None:
    new = variant(version="1.3.0")
    new["exit"] = [r for r in new["exit"] if r["name"] != "usage"]
    path = write(repo / "contracts" / "svc.toml", new)
    result = run_exitkit("diff", "--git", "HEAD~1", path)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "major  exit 2: removed 'usage'",
        "required: major; version 1.2.0 → 1.3.0 is minor: too small (needs 2.0.0 or later)",
    ]
    data = json.loads(run_exitkit("diff", "--git", "HEAD~1", path, "--json").stdout)
    assert data["old"]["origin"] == "HEAD~1:contracts/svc.toml"
    assert data["old"]["version"] == "1.2.0"


def test_git_relative_path_from_a_subdirectory(repo: Path) -> None:
    result = run_exitkit("diff", "--git", "HEAD", "svc.toml", cwd=repo / "contracts")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "required: none (no changes); version 1.2.1 → 1.2.1 is unchanged: ok")
    result = run_exitkit("diff", "--git", "HEAD~1", "contracts/svc.toml", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "patch  contract: summary reworded"


def test_git_through_a_symlink_compares_the_file_it_points_to(repo: Path) -> None:
    (repo / ".exitkit").mkdir()
    (repo / ".exitkit" / "svc.toml").symlink_to("../contracts/svc.toml")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "link")
    result = run_exitkit("diff", "--git", "HEAD~2", ".exitkit/svc.toml", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "patch  contract: summary reworded"


@pytest.mark.parametrize(
    ("rev", "file", "status", "words"),
    [
        ("no-such-rev", "contracts/svc.toml", 3, "unknown revision 'no-such-rev'"),
        ("HEAD~5", "contracts/svc.toml", 3, "unknown revision 'HEAD~5'"),
        ("--all", "contracts/svc.toml", 2, "not a revision"),
        ("HEAD", "contracts/new.toml", 3, "contracts/new.toml does not exist at HEAD"),
    ],
)
def test_git_errors_are_clean(repo: Path, rev: str, file: str, status: int, words: str) -> None:
    if file.endswith("new.toml"):
        write(repo / file, BASE)  # exists in the work tree, never committed
    result = run_exitkit("diff", f"--git={rev}", file, cwd=repo)
    assert result.returncode == status, result.stderr
    assert words in result.stderr
    assert result.stderr.startswith("exitkit: ")
    assert "Traceback" not in result.stderr + result.stdout


def test_git_outside_a_repository_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    path = write(tmp_path / "svc.toml", BASE)
    result = run_exitkit("diff", "--git", "HEAD", path, "--json")
    assert result.returncode == 2
    error = json.loads(result.stderr)["error"]
    assert error["code"] == "usage" and "not in a git work tree" in error["message"]


def test_a_git_that_does_not_work_is_named_as_missing(tools: Tools, tmp_path: Path) -> None:
    """macOS without the command-line tools: /usr/bin/git is a stub that fails on everything."""
    tools("git", 'echo "xcrun: error: invalid active developer path (/Library/Developer/'
                 'CommandLineTools), missing xcrun at: /Library/Developer/CommandLineTools/usr/'
                 'bin/xcrun" >&2\nexit 1')
    path = write(tmp_path / "svc.toml", BASE)
    result = run_exitkit("diff", "--git", "HEAD", path)
    assert result.returncode == 3
    assert result.stderr.startswith("exitkit: --git needs git, which does not work here "
                                    "(xcrun: error: invalid active developer path")
    assert "xcode-select --install" in result.stderr
    assert "work tree" not in result.stderr


def test_git_invalid_contract_at_the_revision(repo: Path) -> None:
    (repo / "contracts" / "svc.toml").write_text("name = [broken\n")
    git(repo, "commit", "-q", "-am", "broken")
    write(repo / "contracts" / "svc.toml", BASE)
    result = run_exitkit("diff", "--git", "HEAD", "contracts/svc.toml", cwd=repo)
    assert result.returncode == 4
    assert result.stderr.startswith("exitkit: HEAD:contracts/svc.toml:1:")
    assert "invalid TOML" in result.stderr


def test_load_at_revision_in_process(repo: Path) -> None:
    contract = load_at_revision("HEAD~1", str(repo / "contracts" / "svc.toml"))
    assert (contract.name, contract.version, contract.origin) == (
        "svc", "1.2.0", "HEAD~1:contracts/svc.toml")
    with pytest.raises(ExitkitError, match="--git: unknown revision 'nope' in ") as info:
        load_at_revision("nope", str(repo / "contracts" / "svc.toml"))
    assert info.value.exit == "not-found"


def test_contract_from_bytes_reports_problems_under_its_label() -> None:
    with pytest.raises(ExitkitError, match=r"^REV:x\.toml: version: must be a semantic") as info:
        contract_from_bytes(b'name = "svc"\nversion = "1"\n', "REV:x.toml")
    assert info.value.exit == "invalid-contract"
    assert info.value.message.startswith("REV:x.toml: ")
    with pytest.raises(ExitkitError, match=r"not UTF-8 \(byte 0xff\)") as info:
        contract_from_bytes(b"name = \xff\n", "REV:x.toml")
    assert "not UTF-8" in info.value.message
    contract = contract_from_bytes(to_toml(BASE).encode(), "REV:x.toml")
    assert (contract.version, contract.origin) == ("1.2.0", "REV:x.toml")


def test_reordering_what_is_a_set_is_no_change(tmp_path: Path) -> None:
    """[match] flags must all be there, any one [stderr] error line explains a line, and an
    outcome refines each of its codes: their order means nothing, so reordering them needs no
    bump (found by review: each was reported major). A subcommand's `args` keep their order."""
    head = 'name = "svc"\nversion = "1.0.0"\n'
    body = ('[[exit]]\ncode = 0\nname = "ok"\nkind = "success"\nmeaning = "m"\n'
            '[[exit]]\ncode = 1\nname = "error"\nkind = "failure"\nmeaning = "m"\n'
            '[[exit]]\ncode = 2\nname = "usage"\nkind = "usage"\nmeaning = "m"\n'
            '[[outcome]]\nname = "gone"\nkind = "not-found"\ncodes = {codes}\n'
            "pattern = 'not found'\nmeaning = \"m\"\n")
    old = tmp_path / "old.toml"
    old.write_text(head + '[match]\ncommand = "svc"\nargs = ["a", "b"]\nflags = ["--x", "--y"]\n'
                   "[stderr]\nerrors = ['^Error: ', '^fatal: ']\n" + body.format(codes="[1, 2]"))
    new = tmp_path / "new.toml"
    new.write_text(head + '[match]\ncommand = "svc"\nargs = ["a", "b"]\nflags = ["--y", "--x"]\n'
                   "[stderr]\nerrors = ['^fatal: ', '^Error: ']\n" + body.format(codes="[2, 1]"))
    report = compare(load_file(str(old)), load_file(str(new)))
    assert report.changes == [] and report.ok
    swapped = tmp_path / "args.toml"
    swapped.write_text(old.read_text().replace('args = ["a", "b"]', 'args = ["b", "a"]'))
    assert summary(compare(load_file(str(old)), load_file(str(swapped)))) == [
        ("major", "contract", None, "match-changed")]


def test_diff_lines_show_contract_text_escaped(tmp_path: Path) -> None:
    """An error code may hold any text; `diff` prints it escaped, as `show` and `explain` do."""
    data = copy.deepcopy(BASE)
    error_row(data, "BUSY")["code"] = "E\x1b]0;owned\x07\x1b[2J"
    result = run_exitkit("diff", write(tmp_path / "old.toml", data),
                         write(tmp_path / "new.toml", BASE))
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "error E\\e]0;owned\\x07\\e[2J: removed" in result.stdout

"""scan's reports and configuration decision by decision, in-process (so that `make mutation`,
whose mutants live in the pytest process, sees every line): the diff, the four formats' exact
text, and what ``.exitkit.toml`` switches off."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from exitkit.errors import ExitkitError
from exitkit.scan import config
from exitkit.scan.model import FileError, Finding
from exitkit.scan.report import as_json, diff, github, sarif, summary, text

HEAD = ("# exitkit scan --diff: {n}. Review each before\n# applying: a rewritten line fails "
        "where the old one let every failure pass, and needs\n# exitkit wherever the script "
        "runs. Apply with: {apply}\n")


def finding(file: str = "x.sh", line: int = 1, column: int = 1, rule: str = "EK102",
            fix: tuple[tuple[int, int, str], ...] = (), **more: object) -> Finding:
    return Finding(file, line, column, rule, "message", "suggestion", fix=fix,
                   **more)  # type: ignore[arg-type]


# -- the diff -------------------------------------------------------------------------------------


def test_diff_of_one_rewrite() -> None:
    source = "a || true\nb\n"
    patch, count = diff([finding(fix=((0, 0, "X "), (1, 9, "")))], {"x.sh": source})
    assert count == 1
    assert patch == HEAD.format(n="1 mechanical rewrite",
                                apply="git apply FILE, or patch -p1 < FILE") + (
        "--- a/x.sh\n+++ b/x.sh\n@@ -1,2 +1,2 @@\n-a || true\n+X a\n b\n")


def test_diff_counts_files_and_rewrites_and_sorts_edits() -> None:
    sources = {"b.sh": "one\ntwo\n", "./a.sh": "first"}
    findings = [
        finding("b.sh", fix=((4, 7, "TWO"),)),
        finding("b.sh", fix=((0, 3, "ONE"),)),
        finding("./a.sh", fix=((0, 5, "last"),)),
        finding("c.sh"),  # no rewrite: not in the diff
    ]
    patch, count = diff(findings, sources)
    assert count == 3
    assert patch.startswith(HEAD.format(n="3 mechanical rewrites",
                                        apply="git apply FILE, or patch -p1 < FILE"))
    body = patch.split("\n", 3)[3]
    assert body == (
        "--- a/a.sh\n+++ b/a.sh\n@@ -1 +1 @@\n-first\n\\ No newline at end of file\n"
        "+last\n\\ No newline at end of file\n"
        "--- a/b.sh\n+++ b/b.sh\n@@ -1,2 +1,2 @@\n-one\n-two\n+ONE\n+TWO\n")


@pytest.mark.parametrize("second", [
    ((0, 0, "A "),),          # the same insertion point (the first one found is kept)
    ((3, 3, "Y "),),          # inside the first one's deletion
    ((5, 9, ""),),            # touching its end
])
def test_a_rewrite_touching_another_is_left_out(second: tuple[tuple[int, int, str], ...]) -> None:
    source = "a || true\nb\n"
    first = finding(fix=((0, 0, "X "), (1, 5, "")))
    later = finding(line=2, fix=((10, 11, "c"),))  # the rest still applies
    patch, count = diff([first, finding(column=2, fix=second), later], {"x.sh": source})
    assert count == 2
    assert patch.endswith("-a || true\n-b\n+X atrue\n+c\n")


def test_edits_apply_in_place_order() -> None:
    source = "0123456\n"
    # a deletion and an insertion at one place: the insertion first, whatever their order
    patch, _ = diff([finding(fix=((2, 4, ""), (2, 2, "ab")))], {"x.sh": source})
    assert patch.endswith("-0123456\n+01ab456\n")
    patch, _ = diff([finding(fix=((5, 6, "X"), (1, 2, "Y")))], {"x.sh": source})
    assert patch.endswith("-0123456\n+0Y234X6\n")


def test_no_rewrite_no_diff() -> None:
    assert diff([finding()], {}) == ("", 0)
    assert diff([finding(fix=((0, 1, "b"),))], {}) == ("", 0)  # its file's text is not kept
    assert diff([finding("y.sh")], {"y.sh": "a\n"}) == ("", 0)
    assert diff([finding(fix=((0, 0, ""),))], {"x.sh": "a\n"}) == ("", 0)  # a no-op


def test_diff_outside_the_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "in").mkdir()
    monkeypatch.chdir(tmp_path / "in")
    far = str(tmp_path / "far" / "deep" / "x.sh")
    near = str(tmp_path / "far" / "y.sh")
    patch, count = diff([finding(far, fix=((0, 1, "B"),)), finding(near, fix=((0, 1, "D"),))],
                        {far: "a\n", near: "c\n"})
    assert count == 2
    assert f"Apply with: cd {tmp_path / 'far'} && git apply FILE" in patch
    inside = str(tmp_path / "in" / "z.sh")  # absolute, but under the directory: relative
    near_patch, _ = diff([finding(inside, fix=((0, 1, "B"),))], {inside: "a\n"})
    assert "--- a/z.sh\n" in near_patch and "Apply with: git apply FILE" in near_patch
    assert "--- a/deep/x.sh\n+++ b/deep/x.sh\n" in patch
    assert "--- a/y.sh\n+++ b/y.sh\n" in patch


# -- the formats ----------------------------------------------------------------------------------


def test_summary_counts_and_plurals() -> None:
    one = [finding()]
    assert summary([], [], 0) == "0 findings in 0 files (0 scanned)"
    assert summary(one, [], 1) == "1 finding in 1 file (1 scanned)"
    assert summary([*one, finding("y.sh")], [FileError("z", "binary")], 3) == (
        "2 findings in 2 files (3 scanned, 1 could not be scanned)")


def test_text_lines_are_escaped() -> None:
    hostile = Finding("a\x1b[2Jb.sh", 3, 4, "EK101", "m\nx", "s", tool="t", code=5, name="n")
    out = text([hostile], [], 1)
    assert out == ("a\\e[2Jb.sh:3:4: EK101 magic-number: m\\nx → s\n"
                   "1 finding in 1 file (1 scanned)\n")


def test_json_has_every_field() -> None:
    out = as_json([finding("é.sh", tool="kubectl", code=1, name="not-found")],
                  [FileError("b", "binary")], 2)
    data = json.loads(out)
    assert data == {"findings": [{
        "file": "é.sh", "line": 1, "column": 1, "id": "EK102", "kind": "or-true",
        "tool": "kubectl", "code": 1, "name": "not-found", "message": "message",
        "suggestion": "suggestion"}], "errors": [{"file": "b", "message": "binary"}],
        "scanned": 2}
    assert out == json.dumps(data, indent=2, ensure_ascii=False) + "\n"  # readable, as written


def test_sarif_results_and_notifications() -> None:
    from test_scan import check_sarif  # the official schema, and what code scanning needs

    log = json.loads(sarif([finding("./d i/x.sh", 2, 3, "EK104", tool="make", code=124,
                                    name="timeout")], [FileError("bin", "binary")], 2))
    check_sarif(log)
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert run_of(log)["tool"]["driver"]["rules"][0]["shortDescription"]["text"] == (
        "An exit status compared with a tool's bare exit code")
    run = log["runs"][0]
    assert run["tool"]["driver"]["rules"][3]["id"] == "EK104"
    assert run["tool"]["driver"]["rules"][3]["helpUri"].endswith("#ek104-timeout-124")
    result = run["results"][0]
    assert result["ruleIndex"] == 3 and result["level"] == "warning"
    assert result["message"]["text"] == "message → suggestion"
    assert result["properties"] == {"kind": "timeout-124", "suggestion": "suggestion",
                                    "tool": "make", "code": 124, "name": "timeout"}
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "d%20i/x.sh", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 2, "startColumn": 3}}
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["properties"] == {"scanned": 2}
    assert invocation["toolExecutionNotifications"][0] == {
        "level": "error", "message": {"text": "binary"}, "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": "bin", "uriBaseId": "%SRCROOT%"}}}]}
    assert json.loads(sarif([], [], 0))["runs"][0]["invocations"][0]["executionSuccessful"]


def run_of(log: dict[str, object]) -> dict[str, object]:
    runs = log["runs"]
    assert isinstance(runs, list)
    return runs[0]  # type: ignore[no-any-return]


def test_github_annotations() -> None:
    out = github([finding("a,b.sh", 2, 3)], [FileError("c:d", "binary")], 1)
    assert out == (
        "::warning file=a%2Cb.sh,line=2,col=3,title=EK102 or-true::message → suggestion\n"
        "::error file=c%3Ad,title=exitkit scan::binary\n"
        "1 finding in 1 file (1 scanned, 1 could not be scanned)\n")


# -- the configuration ----------------------------------------------------------------------------


def write(path: Path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


def test_config_decisions(tmp_path: Path) -> None:
    settings = config.load(write(tmp_path / ".exitkit.toml", (
        '[scan]\nexclude = ["vendor/"]\ndisable = ["EK105"]\n'
        '[scan.per-file-disable]\n"legacy/*.sh" = ["magic-number"]\n"one.sh" = ["all"]\n')))
    assert settings.path == str(tmp_path / ".exitkit.toml")
    assert settings.root == os.path.realpath(tmp_path)
    assert settings.excludes(str(tmp_path / "vendor" / "x.sh"))
    assert not settings.excludes(str(tmp_path / "src" / "vendor.sh"))
    assert settings.disabled(str(tmp_path / "legacy" / "a.sh")) == {"EK105", "magic-number"}
    assert settings.disabled(str(tmp_path / "a.sh")) == {"EK105"}
    assert settings.drops(str(tmp_path / "legacy" / "a.sh"), "EK101")
    assert not settings.drops(str(tmp_path / "legacy" / "a.sh"), "EK102")
    assert settings.drops(str(tmp_path / "one.sh"), "EK106")
    empty = config.load(None)
    assert (empty.path, empty.exclude, empty.disable) == (None, [], frozenset())
    assert not empty.excludes("anything") and empty.disabled("x") == frozenset()


def test_config_without_scan_table_or_empty(tmp_path: Path) -> None:
    for body in ("", "[other]\nx = 1\n", "\ufeff[scan]\n"):
        settings = config.load(write(tmp_path / "c.toml", body))
        assert (settings.exclude, settings.disable, settings.per_file) == ([], frozenset(), [])


@pytest.mark.parametrize(("body", "message"), [
    ("[scan]\nx = 1\n", "unknown key scan.x (known: disable, exclude, per-file-disable)"),
    ("[scan]\ndisable = ['nope']\n",
     "scan.disable: unknown rule 'nope' (ids EK101-EK106, their kinds, or all)"),
    ("[scan]\ndisable = 'EK101'\n", "scan.disable must be a list of non-empty strings"),
    ("[scan]\nexclude = ['']\n", "scan.exclude must be a list of non-empty strings"),
    ("[scan]\nexclude = [1]\n", "scan.exclude must be a list of non-empty strings"),
    ("[scan.per-file-disable]\n'a' = ['x']\n",
     "scan.per-file-disable.'a': unknown rule 'x' (ids EK101-EK106, their kinds, or all)"),
    ("[scan]\nper-file-disable = 1\n", "[scan.per-file-disable] must be a table of GLOB = [ids]"),
    ("scan = []\n", "[scan] must be a table"),
    ("[scan\n", "invalid TOML: "),
])
def test_config_mistakes(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path / "c.toml", body)
    with pytest.raises(ExitkitError) as caught:
        config.load(path)
    assert caught.value.exit == "usage"
    assert caught.value.message.startswith(f"{path}: {message}")
    assert caught.value.hint == 'see docs/scan.md, "Project configuration"'


def test_config_unreadable_or_not_utf8(tmp_path: Path) -> None:
    with pytest.raises(ExitkitError, match="cannot read"):
        config.load(str(tmp_path / "missing.toml"))
    (tmp_path / "latin.toml").write_bytes(b"[scan]\n# caf\xe9\n")
    with pytest.raises(ExitkitError, match="not UTF-8"):
        config.load(str(tmp_path / "latin.toml"))


def test_config_is_found_upwards_to_the_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    deep = repo / "a" / "b"
    deep.mkdir(parents=True)
    assert config.find(str(deep)) is None
    write(tmp_path / ".exitkit.toml", "")  # above the repository: never read
    (repo / ".git").mkdir()
    assert config.find(str(deep)) is None
    here = write(repo / "a" / ".exitkit.toml", "")
    assert config.find(str(deep)) == here
    assert config.find(str(repo / "a")) == here
    assert config.start([str(deep / "x.sh")]) == str(deep)
    assert config.start([str(deep)]) == str(deep)
    assert config.start(["x.sh"]) == "."
    assert config.start([]) == "."

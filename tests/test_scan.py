"""``exitkit scan``: the rules on a corpus of real excerpts (tests/fixtures/scan/, each naming its
source), the negatives, the formats, suppression, bad input, and the start-up budget of the
other commands (which must never import the parser)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_exitkit

pytest.importorskip("tree_sitter")
pytest.importorskip("tree_sitter_bash")

from exitkit.scan.engine import Scanner
from exitkit.scan.inputs import MAKEFILE, SHELL, WORKFLOW
from exitkit.scan.model import RULES, Finding

FIXTURES = ROOT / "tests" / "fixtures" / "scan"
REPO = FIXTURES / "repo"


def scan(path: Path, kind: str = SHELL) -> list[Finding]:
    findings, error = Scanner().scan(str(path), kind)
    assert error is None, error.message
    return findings


def summary(findings: list[Finding]) -> list[tuple[int, int, str, str, str | None, int | None,
                                                   str | None]]:
    return [(f.line, f.column, f.id, f.kind, f.tool, f.code, f.name) for f in findings]


def scan_text(tmp_path: Path, text: str, name: str = "x.sh", kind: str = SHELL) -> list[Finding]:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return scan(path, kind)


# -- the corpus: real excerpts, exact findings --------------------------------------------------


def test_every_fixture_names_its_source() -> None:
    for path in FIXTURES.rglob("*"):
        if path.is_file():
            head = path.read_text().splitlines()[:3]
            assert any("excerpt of" in line or "constructed" in line for line in head), path


def test_or_true_after_kubectl_delete_names_not_found() -> None:
    findings = scan(REPO / "k8s-cleanup.sh")
    assert summary(findings) == [(6, 1, "EK102", "or-true", "kubectl", 1, "not-found")]
    assert findings[0].suggestion == (
        'exitkit run --ok not-found -- kubectl delete ns "$NAMESPACE" --wait=true')


def test_terraform_plan_detailed_exitcode_dance() -> None:
    findings = scan(REPO / "plan-terraform.sh")
    assert summary(findings) == [(4, 1, "EK103", "teardown-dance", "terraform-plan", 2,
                                  "changes-present")]
    assert findings[0].suggestion == ("exitkit run --ok changes-present -- terraform plan "
                                      "-lock-timeout=30m -detailed-exitcode")


def test_timeout_124_checked_through_an_exported_variable() -> None:
    findings = scan(REPO / "pylibafl-test.sh")
    # `mkdir in || true` on line 3: mkdir has no contract, no finding
    assert summary(findings) == [(4, 1, "EK104", "timeout-124", "python3", 124, "timeout")]
    assert findings[0].suggestion.startswith("exitkit run --timeout 10s -- python3 ./test.py")


@pytest.mark.parametrize(("name", "line", "backoff"), [
    ("wait-database-until-ready.sh", 4, "5s"),  # until pg_isready
    ("run.sh", 3, "2s"),  # while ! pg_isready
])
def test_wait_loops_around_pg_isready(name: str, line: int, backoff: str) -> None:
    findings = scan(REPO / name)
    assert summary(findings) == [(line, 1, "EK105", "retry-loop", "pg-isready", None,
                                  "rejecting,no-response")]
    assert f"--retry-on rejecting,no-response --backoff {backoff} -- pg_isready" in (
        findings[0].suggestion)


def test_makefile_recipe_status_of_a_tool_without_contract() -> None:
    findings = scan(REPO / "Makefile", MAKEFILE)
    line = (REPO / "Makefile").read_text().splitlines()[6]
    column = line.index("-eq 1") + len("-eq ") + 1  # in the original line, $$ and tab included
    assert summary(findings) == [(7, column, "EK101", "magic-number", "go", 1, None)]
    assert "exitkit import man:go" in findings[0].suggestion


def test_curl_22_and_pipestatus() -> None:
    findings = scan(REPO / "fetch.sh")
    assert summary(findings) == [
        (5, 13, "EK101", "magic-number", "curl", 22, "http-returned-error"),
        (9, 60, "EK101", "magic-number", "grep", 1, "no-match"),
    ]
    assert findings[0].suggestion.startswith('"$CURL_EXIT_HTTP_RETURNED_ERROR", or '
                                             'curl_exit_is http-returned-error')


def test_workflow_steps() -> None:
    findings = scan(REPO / ".github" / "workflows" / "teardown.yml", WORKFLOW)
    # line 11: continue-on-error on a kubectl delete step (the expression masked, then shown);
    # line 19: an `if:` on the plan step's exit code; the EK106 on line 21 is disabled by the
    # comment on its step; the pwsh step is not shell
    assert summary(findings) == [
        (11, 9, "EK106", "continue-on-error", "kubectl", 1, "not-found"),
        (19, 44, "EK101", "magic-number", "terraform-plan", 2, "changes-present"),
    ]
    assert '"${{ env.NAMESPACE }}"' in findings[0].suggestion
    assert "exit-name == 'changes-present'" in findings[1].suggestion


@pytest.mark.parametrize("name", ["teardown.sh", "cleanup.sh", "generic.sh"])
def test_negatives(name: str) -> None:
    assert scan(FIXTURES / "negative" / name) == []


def test_workflow_run_block_columns_point_into_the_file(tmp_path: Path) -> None:
    text = ("jobs:\n  a:\n    steps:\n      - run: |\n          echo ${{ github.sha }} x\n"
            "          curl -f \"${{ env.U }}\"; [ $? -eq 22 ] && exit 1\n")
    findings = scan_text(tmp_path, text, ".github/workflows/w.yml", WORKFLOW)
    line = text.splitlines()[5]
    assert summary(findings) == [(6, line.index("22") + 1, "EK101", "magic-number", "curl", 22,
                                  "http-returned-error")]


def test_plain_one_line_run(tmp_path: Path) -> None:
    text = "steps:\n  - name: x\n    run: helm uninstall web || true\n"
    findings = scan_text(tmp_path, text, "action.yml", WORKFLOW)
    assert summary(findings) == [(3, 10, "EK102", "or-true", "helm", 1, "not-found")]


# -- the rules one by one ----------------------------------------------------------------------


def test_readme_teardown_dance(tmp_path: Path) -> None:
    text = ('set +e\nproxxx delete "$TEST_VMID" --yes\nrc=$?\nset -e\n'
            'if [ "$rc" -ne 0 ] && [ "$rc" -ne 5 ]; then\n    exit "$rc"\nfi\n')
    findings = scan_text(tmp_path, text)
    assert summary(findings) == [(2, 1, "EK103", "teardown-dance", "proxxx", 5, "not-found")]
    assert findings[0].suggestion == (
        'exitkit run --ok not-found -- proxxx delete "$TEST_VMID" --yes')


def test_saved_status_and_case(tmp_path: Path) -> None:
    text = ("proxxx delete 1 || rc=$?\n[ $rc -eq 5 ] && exit 0\n"
            "proxxx list; case $? in 7) echo retry;; esac\n")
    assert summary(scan_text(tmp_path, text)) == [
        (1, 1, "EK103", "teardown-dance", "proxxx", 5, "not-found"),
        (3, 25, "EK101", "magic-number", "proxxx", 7, "cluster-transient"),
    ]


def test_no_contract_and_unknown_code(tmp_path: Path) -> None:
    text = "frobnicate; if [ $? = 3 ]; then :; fi\nkubectl get x; (( $? == 9 ))\n"
    found = scan_text(tmp_path, text)
    lines = text.splitlines()
    assert summary(found) == [
        (1, lines[0].index("3 ]") + 1, "EK101", "magic-number", "frobnicate", 3, None),
        (2, lines[1].index("9 ))") + 1, "EK101", "magic-number", "kubectl", 9, None),
    ]
    assert "write one (.exitkit/frobnicate.toml)" in found[0].suggestion
    assert "does not define" in found[1].message


def test_builtins_functions_and_zero_are_not_findings(tmp_path: Path) -> None:
    text = ("f() { return 3; }\nf; [ $? -eq 3 ] && echo\necho; [ $? -eq 1 ]\n"
            "curl x; [ $? -eq 0 ]\nwait $pid; [ $? -eq 2 ]\nexit $?\n")
    assert scan_text(tmp_path, text) == []


def test_retry_for_loop_counts_its_iterations(tmp_path: Path) -> None:
    text = "for i in $(seq 1 30); do docker pull img && break; sleep 2; done\n"
    findings = scan_text(tmp_path, text)
    assert summary(findings) == [(1, 1, "EK105", "retry-loop", "docker", None, None)]
    assert findings[0].suggestion == "exitkit run --retries 30 --backoff 2s -- docker pull img"


def test_timeout_through_env_and_options(tmp_path: Path) -> None:
    text = "timeout -k 5 -s KILL 2m curl -fsS x\nrc=$?\ncase $rc in 124) echo slow;; esac\n"
    findings = scan_text(tmp_path, text)
    assert summary(findings) == [(1, 1, "EK104", "timeout-124", "curl", 124, "timeout")]
    assert findings[0].suggestion.startswith(
        "exitkit run --timeout 2m --kill-after 5s --signal KILL -- curl -fsS x")


def test_command_substitution_status(tmp_path: Path) -> None:
    text = 'out=$(curl -fsS "$u"); rc=$?\nif [ "$rc" -eq 6 ]; then echo dns; fi\n'
    assert summary(scan_text(tmp_path, text)) == [
        (2, 16, "EK101", "magic-number", "curl", 6, "couldnt-resolve-host")]


def test_contracts_resolve_as_exitkit_run_does(tmp_path: Path) -> None:
    """[match] and wrappers: `sudo env X=1 terraform plan -detailed-exitcode` is terraform-plan,
    a project contract on the search path is used."""
    (tmp_path / ".exitkit").mkdir()
    (tmp_path / ".exitkit" / "mytool.toml").write_text(
        'name = "mytool"\nversion = "1.0.0"\nsummary = "s"\n'
        '[[exit]]\ncode = 0\nname = "ok"\nkind = "success"\nmeaning = "ok"\n'
        '[[exit]]\ncode = 4\nname = "gone"\nkind = "not-found"\nmeaning = "gone"\n')
    os.chdir(tmp_path)
    text = ("sudo env X=1 terraform plan -detailed-exitcode; [ $? -eq 2 ]\n"
            "mytool rm thing || true\n")
    assert summary(scan_text(tmp_path, text)) == [
        (1, text.index("2 ]") + 1, "EK101", "magic-number", "terraform-plan", 2,
         "changes-present"),
        (2, 1, "EK102", "or-true", "mytool", 4, "gone"),
    ]


# -- suppression --------------------------------------------------------------------------------


def test_disable_before_a_command_and_for_the_file(tmp_path: Path) -> None:
    text = ("#!/bin/sh\necho start\n# exitkit disable=EK102\nkubectl delete pod a || true\n"
            "kubectl delete pod b || true\n"
            "helm uninstall x || true  # exitkit disable=or-true\n")
    assert summary(scan_text(tmp_path, text)) == [
        (5, 1, "EK102", "or-true", "kubectl", 1, "not-found")]
    whole = "#!/bin/sh\n# exitkit disable=EK102,EK101\n" + text
    assert scan_text(tmp_path, whole, "y.sh") == []


def test_disable_in_a_makefile(tmp_path: Path) -> None:
    text = ("all:\n\t# exitkit disable=EK102\n\tkubectl delete pod a || true\n"
            "\tkubectl delete pod b || true\n")
    assert summary(scan_text(tmp_path, text, "Makefile", MAKEFILE)) == [
        (4, 2, "EK102", "or-true", "kubectl", 1, "not-found")]
    assert scan_text(tmp_path, "# exitkit disable=EK102\n" + text, "b.mk", MAKEFILE) == []


# -- the command: formats, status, inputs --------------------------------------------------------


def copy_repo(tmp_path: Path) -> Path:
    target = tmp_path / "repo"
    shutil.copytree(REPO, target)
    return target


def test_text_format_and_status(tmp_path: Path) -> None:
    target = copy_repo(tmp_path)
    result = run_exitkit("scan", cwd=target)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "10 findings in 8 files (8 scanned)"
    assert "k8s-cleanup.sh:6:1: EK102 or-true: '|| true' tolerates every failure of kubectl, " \
        "not only not-found; kubectl's --ignore-not-found does it too, where it suffices → " \
        'exitkit run --ok not-found -- kubectl delete ns "$NAMESPACE" --wait=true' in lines
    # a copy, outside any git work tree: in one (this checkout, or a mutation run's ignored
    # copy of it) what git sees would decide what is scanned
    negative = shutil.copytree(FIXTURES / "negative", tmp_path / "negative")
    clean = run_exitkit("scan", str(negative))
    assert clean.returncode == 0, clean.stdout
    assert clean.stdout == "0 findings in 0 files (3 scanned)\n"


def test_json_format(tmp_path: Path) -> None:
    target = copy_repo(tmp_path)
    result = run_exitkit("scan", "--format", "json", "k8s-cleanup.sh", cwd=target)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["findings"] == [{
        "file": "k8s-cleanup.sh", "line": 6, "column": 1, "id": "EK102", "kind": "or-true",
        "tool": "kubectl", "code": 1, "name": "not-found",
        "message": "'|| true' tolerates every failure of kubectl, not only not-found; kubectl's "
                   "--ignore-not-found does it too, where it suffices",
        "suggestion": 'exitkit run --ok not-found -- kubectl delete ns "$NAMESPACE" '
                      "--wait=true"}]
    assert run_exitkit("scan", "--json", "k8s-cleanup.sh", cwd=target).stdout == result.stdout


def test_sarif_format(tmp_path: Path) -> None:
    target = copy_repo(tmp_path)
    (target / "bin.sh").write_bytes(b"\x7fELF\x00\x01")
    result = run_exitkit("scan", "--format", "sarif", cwd=target)
    assert result.returncode == 1
    log = json.loads(result.stdout)
    check_sarif(log)
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == list(RULES)
    assert len(run["results"]) == 10
    first = next(r for r in run["results"] if r["ruleId"] == "EK102")
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "k8s-cleanup.sh", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 6, "startColumn": 1}}
    assert run["invocations"][0]["executionSuccessful"] is False
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notes] == ["binary file, not a script"]


#: The official SARIF 2.1.0 schema (tests/fixtures/sarif/README.md says where it comes from).
SARIF_SCHEMA = ROOT / "tests" / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"


def check_sarif(log: dict[str, object]) -> None:
    """Valid against the official SARIF 2.1.0 schema, and what GitHub code scanning relies on
    besides (one run, rules found by index, regions inside the file)."""
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text())
    validator = jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    assert log["version"] == "2.1.0"
    assert isinstance(log["$schema"], str)
    runs = log["runs"]
    assert isinstance(runs, list) and len(runs) == 1
    run = runs[0]
    driver = run["tool"]["driver"]
    assert isinstance(driver["name"], str)
    for rule in driver["rules"]:
        assert set(rule) >= {"id", "shortDescription"}
        assert isinstance(rule["shortDescription"]["text"], str)
    for result in run["results"]:
        assert isinstance(result["message"]["text"], str)
        assert result["level"] in ("none", "note", "warning", "error")
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        for location in result["locations"]:
            region = location["physicalLocation"]["region"]
            assert region["startLine"] >= 1 and region["startColumn"] >= 1
    for invocation in run["invocations"]:
        assert isinstance(invocation["executionSuccessful"], bool)
        for note in invocation["toolExecutionNotifications"]:
            assert isinstance(note["message"]["text"], str)


def test_github_format_uses_the_workflow_command_escaping(tmp_path: Path) -> None:
    from exitkit.run.report.github import command

    (tmp_path / "a,b%.sh").write_text("kubectl delete pod \"$(printf '::x')\" || true\n")
    result = run_exitkit("scan", "--format", "github", cwd=tmp_path)
    assert result.returncode == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith("::warning file=a%2Cb%25.sh,line=1,col=1,title=EK102 or-true::")
    finding = Scanner().scan(str(tmp_path / "a,b%.sh"), SHELL)[0][0]
    assert first == command("warning", f"{finding.message} → {finding.suggestion}",
                            file="a,b%.sh", line="1", col="1", title="EK102 or-true")


def test_hostile_text_is_escaped(tmp_path: Path) -> None:
    (tmp_path / "x.sh").write_text("kubectl delete pod \"$(printf '\x1b[31m')\" || true\n")
    result = run_exitkit("scan", cwd=tmp_path)
    assert "\x1b" not in result.stdout and "\\e[31m" in result.stdout


def test_usage_errors() -> None:
    bad = run_exitkit("scan", "--format", "xml")
    assert bad.returncode == 2
    assert "unknown format 'xml'" in bad.stderr


def test_missing_parser_says_what_to_install() -> None:
    code = ("import sys, importlib.util as u; real = u.find_spec; "
            "u.find_spec = lambda n, *a: None if n.startswith('tree_sitter') else real(n, *a); "
            "from exitkit._entry import main; sys.exit(main(['scan', '.']))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert "exitkit: hint: install them with: pip install 'exitkit[scan]'" in result.stderr


def test_bad_input_is_an_error_line_and_the_rest_is_scanned(tmp_path: Path) -> None:
    (tmp_path / "ok.sh").write_text("kubectl delete pod a || true\n")
    (tmp_path / "binary.sh").write_bytes(b"#!/bin/sh\n\x00\x01\x02")
    os.mkfifo(tmp_path / "fifo.sh")
    (tmp_path / "notutf8.sh").write_bytes(b"# caf\xe9\nhelm uninstall x || true\n")
    result = run_exitkit("scan", ".", "missing.sh", cwd=tmp_path, timeout=30)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "exitkit: missing.sh: No such file or directory",
        "exitkit: binary.sh: binary file, not a script",
        "exitkit: fifo.sh: not a regular file",
    ]
    assert result.stdout.splitlines()[-1] == (
        "2 findings in 2 files (4 scanned, 3 could not be scanned)")
    assert "notutf8.sh:2:1: EK102" in result.stdout


def test_a_directory_of_1000_files(tmp_path: Path) -> None:
    for k in range(1000):
        suffix = ".sh" if k % 2 else ""
        body = "#!/bin/bash\n" if k % 4 == 1 else ("#!/usr/bin/env python3\n" if k % 4 == 0
                                                   else "")
        (tmp_path / f"f{k:04}{suffix}").write_text(body + f"kubectl delete pod p{k} || true\n")
    result = run_exitkit("scan", "--format", "json", cwd=tmp_path, timeout=120)
    data = json.loads(result.stdout)
    assert data["scanned"] == 500  # the .sh files; python and unmarked files are not shell
    assert len(data["findings"]) == 500


def test_gitignore_and_exclude(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("ignored/\n")
    for rel in ("ignored/a.sh", "kept/b.sh", "vendor/c.sh"):
        path = tmp_path / rel
        path.parent.mkdir(exist_ok=True)
        path.write_text("kubectl delete pod a || true\n")
    result = run_exitkit("scan", "--exclude", "vendor", cwd=tmp_path)
    assert [line.split(":")[0] for line in result.stdout.splitlines()[:-1]] == ["kept/b.sh"]


def test_run_and_shell_do_not_import_the_parser() -> None:
    for args in (["run", "--", "true"], ["shell", "bash", "proxxx"], ["explain", "137"]):
        code = (f"import sys; sys.argv = ['exitkit', *{args!r}]; "
                "from exitkit._entry import main; status = main(); "
                "print(' '.join(sorted(sys.modules)), file=sys.stderr); sys.exit(status)")
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                timeout=60)
        assert result.returncode == 0, result.stderr
        loaded = set(result.stderr.split())
        assert not {m for m in loaded if m.startswith(("tree_sitter", "exitkit.scan"))}, args


def test_or_true_wraps_the_command_not_its_pipeline_or_redirections(tmp_path: Path) -> None:
    """exitkit run runs one command: in `a | grep x >&2 || true` it wraps grep, the command
    whose status `|| true` tolerates, and the pipe and redirection stay around it."""
    findings = scan_text(tmp_path, "#!/bin/sh\nls -l | grep -q '^d' 2>/dev/null || true\n"
                                   "kubectl delete pod web-0 >/dev/null 2>&1 || :\n")
    assert [(f.line, f.column, f.tool) for f in findings] == [(2, 9, "grep"), (3, 1, "kubectl")]
    assert findings[0].suggestion.startswith(
        "ls -l | exitkit run --ok NAME -- grep -q '^d' 2>/dev/null (NAME: ")
    assert findings[1].suggestion == ("exitkit run --ok not-found -- kubectl delete pod web-0 "
                                      ">/dev/null 2>&1")


def test_the_tools_own_way_is_named_only_for_the_subcommand_that_has_it(tmp_path: Path) -> None:
    findings = scan_text(tmp_path, "docker rmi -f img || true\ndocker rm web || true\n"
                                   "docker container rm web || true\nhelm uninstall x || true\n"
                                   "helm rollback x 1 || true\n")
    said = ["does it too" in f.message for f in findings]
    assert said == [False, True, True, True, False]


@pytest.mark.parametrize("script", [
    "if true; then\n" * 400 + "kubectl delete pod x || true\n" + "fi\n" * 400,
    "x=" + "$(" * 300 + "kubectl delete x || true" + ")" * 300 + "\n",
])
def test_a_script_nested_too_deeply_is_an_error_and_the_rest_is_scanned(
        script: str, tmp_path: Path) -> None:
    deep = tmp_path / "deep.sh"
    deep.write_text("#!/bin/bash\n" + script)
    plain = tmp_path / "plain.sh"
    plain.write_text("#!/bin/bash\nkubectl delete pod y || true\n")
    result = run_exitkit("scan", "--no-config", str(deep), str(plain))
    assert result.returncode == 1
    assert result.stderr == (f"exitkit: {deep}: nested too deeply to read (hundreds of "
                             "levels)\n")
    assert result.stdout.startswith(f"{plain}:2:1: EK102 or-true:")


def test_positions_are_the_same_read_from_a_line_index() -> None:
    from exitkit.scan.model import Snippet

    text = "a\nbc\n\ndef\nlast"
    snippet = Snippet(text)
    expected = [(text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1)
                for i in range(len(text) + 1)]
    assert [snippet.locate(i) for i in range(len(text) + 1)] == expected
    shifted = Snippet("x\n  y\n", rows=[(10, 4), (11, 6)])
    assert (shifted.locate(0), shifted.locate(4), shifted.locate(6)) == ((10, 5), (11, 9), (11, 7))

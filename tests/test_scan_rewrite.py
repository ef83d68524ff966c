"""``exitkit scan --diff`` (the mechanical rewrites, applied with ``patch`` and ``git apply``
and scanned again), what stays for a person, a status read after ``exitkit run``, and the
project's ``.exitkit.toml``."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import run_exitkit

pytest.importorskip("tree_sitter")
pytest.importorskip("tree_sitter_bash")

from exitkit.scan.engine import Scanner
from exitkit.scan.inputs import MAKEFILE, SHELL, WORKFLOW

# Constructed from the shapes of tests/fixtures/scan/ (real excerpts) and the README's teardown.
SCRIPT = """\
#!/bin/sh
set -eu
kubectl delete ns "$NAMESPACE" --wait=true || true
kubectl get pods | grep web || true
set +e
proxxx delete "$TEST_VMID" --yes
rc=$?
set -e
if [ "$rc" -ne 0 ] && [ "$rc" -ne 5 ]; then
    exit "$rc"
fi
EXPORT=1 timeout 10 python3 ./test.py
if [ $? -eq 124 ]; then echo "too slow"; fi
"""
SCRIPT_AFTER = """\
#!/bin/sh
set -eu
exitkit run --ok not-found -- kubectl delete ns "$NAMESPACE" --wait=true
kubectl get pods | grep web || true
exitkit run --ok not-found -- proxxx delete "$TEST_VMID" --yes
EXPORT=1 exitkit run --timeout 10s -- python3 ./test.py
if [ $? -eq 124 ]; then echo "too slow"; fi
"""
WORKFLOW_TEXT = """\
on: push
jobs:
  teardown:
    runs-on: ubuntu-latest
    steps:
      - name: Teardown
        run: |
          set +e
          proxxx delete "${{ env.VMID }}" --yes
          rc=$?
          set -e
          if [[ $rc -ne 0 && $rc -ne 5 ]]; then
            exit $rc
          fi
          helm uninstall "${{ env.RELEASE }}" || true
      - run: timeout 20m kubectl rollout status web; test $? -eq 124 && echo slow
"""
WORKFLOW_AFTER = """\
on: push
jobs:
  teardown:
    runs-on: ubuntu-latest
    steps:
      - name: Teardown
        run: |
          exitkit run --ok not-found -- proxxx delete "${{ env.VMID }}" --yes
          exitkit run --ok not-found -- helm uninstall "${{ env.RELEASE }}"
      - run: exitkit run --timeout 20m -- kubectl rollout status web; test $? -eq 124 && echo slow
"""
MAKEFILE_TEXT = """\
clean:
\t-@kubectl delete ns $$(cat ns.txt) $(NS) || true
\ttimeout 5 kubectl get ns; if [ $$? -eq 124 ]; then echo slow; fi
"""
MAKEFILE_AFTER = """\
clean:
\t-@exitkit run --ok not-found -- kubectl delete ns $$(cat ns.txt) $(NS)
\texitkit run --timeout 5s -- kubectl get ns; if [ $$? -eq 124 ]; then echo slow; fi
"""


def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / "teardown.sh").write_text(SCRIPT)
    (root / ".github" / "workflows" / "teardown.yml").write_text(WORKFLOW_TEXT)
    (root / "Makefile").write_text(MAKEFILE_TEXT)
    return root


def findings_of(path: Path, kind: str = SHELL) -> list[tuple[int, str, bool]]:
    found, error = Scanner().scan(str(path), kind)
    assert error is None
    return [(f.line, f.id, bool(f.fix)) for f in found]


@pytest.mark.parametrize("apply", [["patch", "-p1", "--quiet"], ["git", "apply", "-"]])
def test_diff_applies_and_what_is_left_needs_a_person(tmp_path: Path, apply: list[str]) -> None:
    if shutil.which(apply[0]) is None:
        pytest.fail(f"{apply[0]} is needed to apply the diff")
    root = project(tmp_path)
    result = run_exitkit("scan", "--diff", cwd=root)
    assert result.returncode == 1, result.stderr  # findings: the status says so, as without
    assert result.stdout.startswith("# exitkit scan --diff: 8 mechanical rewrites. Review")
    assert result.stderr == ("exitkit: 8 mechanical rewrites in the diff; 1 finding needs a "
                             "person (exitkit scan without --diff lists them)\n")
    subprocess.run(apply, input=result.stdout, text=True, cwd=root, check=True)
    assert (root / "teardown.sh").read_text() == SCRIPT_AFTER
    assert (root / ".github" / "workflows" / "teardown.yml").read_text() == WORKFLOW_AFTER
    assert (root / "Makefile").read_text() == MAKEFILE_AFTER
    # Scanned again: only the pipeline's `|| true`, which has no mechanical rewrite.
    again = run_exitkit("scan", "--format", "json", cwd=root)
    assert again.returncode == 1
    import json

    left = [(f["file"], f["line"], f["id"]) for f in json.loads(again.stdout)["findings"]]
    assert left == [("teardown.sh", 4, "EK102")]
    assert run_exitkit("scan", "--diff", cwd=root).stdout == ""


def test_the_rewritten_lines_run_as_the_old_ones_meant(tmp_path: Path) -> None:
    """The diff's teardown, run: "not found" passes, any other failure fails with its code."""
    root = project(tmp_path)
    patch = run_exitkit("scan", "--diff", "teardown.sh", cwd=root).stdout
    subprocess.run(["patch", "-p1", "--quiet"], input=patch, text=True, cwd=root, check=True)
    lines = (root / "teardown.sh").read_text().splitlines()
    teardown = next(line for line in lines if "proxxx delete" in line)
    assert teardown == 'exitkit run --ok not-found -- proxxx delete "$TEST_VMID" --yes'
    from conftest import EXITKIT

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "proxxx").write_text('#!/bin/sh\nexit "$PROXXX_STATUS"\n')
    (bin_dir / "proxxx").chmod(0o755)
    (bin_dir / "exitkit").symlink_to(EXITKIT)
    for status, expected in (("5", 0), ("0", 0), ("7", 7), ("1", 1)):
        env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "PROXXX_STATUS": status, "TEST_VMID": "9"}
        for script in (SCRIPT.splitlines()[4:11], [teardown]):  # before, after
            done = subprocess.run(["sh", "-c", "set -e\n" + "\n".join(script)], env=env,
                                  capture_output=True, text=True, timeout=60)
            assert done.returncode == expected, (status, script, done.stderr)


@pytest.mark.parametrize("text", [
    # a pipeline or a list: dropping `|| true` changes what the others' failures do
    "printf x | kubectl delete -f - || true\n",
    "cd /tmp && kubectl delete pod web || true\n",
    # no name to pick: the person picks it
    "kubectl apply -f x.yaml || true\n",
    # dances that do more than the rewrite would
    "set +e\nproxxx delete 1\nrc=$?\nset -e\nif [ $rc -ne 0 ] && [ $rc -ne 5 ]; then\n"
    "  echo failed; exit $rc\nfi\n",
    "set +e\nproxxx delete 1\nrc=$?\nset -e\nif [ $rc -ne 0 ] && [ $rc -ne 5 ]; then\n"
    "  exit $rc\nfi\necho \"status $rc\"\n",
    "set +e\nproxxx delete 1\nrc=$?\nset -e\nif [ $rc -ne 5 ]; then\n  exit $rc\nfi\n",
    "set +e\nproxxx delete 1\nrc=$?\nset -e\nif [ $rc -ne 0 ] || [ $rc -ne 5 ]; then\n"
    "  exit $rc\nfi\n",
    "set +e\nproxxx delete 1\nrc=$?\nset -e\nif [ $rc -ne 0 ] && [ $rc -ne 5 ]; then\n"
    "  exit $rc\nelse\n  echo ok\nfi\n",
    "proxxx delete 1 || rc=$?\n[ $rc -eq 5 ] && exit 0\n",
    # timeouts whose statuses are not exitkit run's
    "timeout --preserve-status 5 kubectl get ns\n[ $? -eq 124 ] && echo slow\n",
    "timeout -k 1 5 kubectl get ns\n[ $? -eq 137 ] && echo killed\n",
    "timeout \"$T\" kubectl get ns\n[ $? -eq 124 ] && echo slow\n",
])
def test_no_rewrite_where_it_needs_a_person(tmp_path: Path, text: str) -> None:
    path = tmp_path / "x.sh"
    path.write_text(text)
    found = findings_of(path)
    assert found, "each of these is a finding"
    assert not any(fix for _, _, fix in found), found


def test_diff_keeps_bytes_and_files_without_a_last_newline(tmp_path: Path) -> None:
    (tmp_path / "latin1.sh").write_bytes(b"# caf\xe9\nkubectl delete pod web || true")
    (tmp_path / "crlf.sh").write_bytes(b"helm uninstall web || true\r\necho done\r\n")
    result = subprocess.run([str(Path(shutil.which("patch") or "patch")), "-p1", "--quiet"],
                            input=_diff_bytes(tmp_path), cwd=tmp_path, check=True)
    assert result.returncode == 0
    assert (tmp_path / "latin1.sh").read_bytes() == (
        b"# caf\xe9\nexitkit run --ok not-found -- kubectl delete pod web")
    assert (tmp_path / "crlf.sh").read_bytes() == (
        b"exitkit run --ok not-found -- helm uninstall web\r\necho done\r\n")


def _diff_bytes(cwd: Path) -> bytes:
    from conftest import EXITKIT

    done = subprocess.run([EXITKIT, "scan", "--diff"], cwd=cwd, capture_output=True, timeout=60)
    assert done.returncode == 1, done.stderr
    return done.stdout


def test_diff_takes_no_format() -> None:
    import json

    message = "--diff prints a diff: it takes no --format or --json"
    result = run_exitkit("scan", "--diff", "--format", "json", ".")
    assert (result.returncode, result.stderr) == (2, f"exitkit: {message}\n")
    result = run_exitkit("scan", "--diff", "--json", ".")  # --json: the error as JSON
    assert result.returncode == 2
    assert json.loads(result.stderr)["error"]["message"] == message
    two = run_exitkit("scan", "--format", "text", "--json", ".")
    assert two.returncode == 2
    assert json.loads(two.stderr)["error"]["message"] == (
        "--json and --format text ask for two formats")
    assert run_exitkit("scan", "--format", "json", "--json", ".").returncode in (0, 1)


def test_a_status_after_exitkit_run_is_the_commands(tmp_path: Path) -> None:
    path = tmp_path / "x.sh"
    path.write_text(
        "exitkit run --timeout 5s -- kubectl get ns; [ $? -eq 124 ] && echo slow\n"
        "exitkit run -q --ok not-found -- curl -fsS https://x; [ $? -eq 22 ] && echo http\n"
        "exitkit run -c proxxx -- ./proxxx-wrapper delete 1; [ $? -eq 5 ] && echo gone\n"
        "exitkit run -- true; [ $? -eq 127 ] && echo missing\n"
        "exitkit run -- kubectl get ns; [ $? -eq 124 ] && echo what\n"
        "exitkit run --ok=5 -- pytest; if [ $? -eq 5 ]; then echo empty; fi\n"
        "exitkit run --ok not-found,7 -- proxxx delete 1; rc=$?; [ $rc -eq 5 ] || [ $rc -eq 7 ]\n"
        "exitkit run --ok not-found -- kubectl delete pod x; [ $? -eq 1 ] && echo other\n")
    found, _ = Scanner().scan(str(path), SHELL)
    assert [(f.line, f.id, f.tool, f.code, f.name) for f in found] == [
        (2, "EK101", "curl", 22, "http-returned-error"),
        (3, "EK101", "proxxx", 5, "not-found"),
        (5, "EK101", "kubectl", 124, None),  # no timeout asked for: 124 is not exitkit's here
        # codes --ok turns into 0 are never seen; an outcome (kubectl's not-found) only sometimes
        (6, "EK101", "pytest", 5, None),
        (7, "EK101", "proxxx", 5, None),
        (7, "EK101", "proxxx", 7, None),
        (8, "EK101", "kubectl", 1, "error"),
    ]
    assert found[3].message == (
        "$? compared with 5, which exitkit run's --ok 5 turns into 0: never true")


# -- the project's configuration ----------------------------------------------------------------


def configured(tmp_path: Path, config: str) -> Path:
    root = project(tmp_path)
    (root / ".git").mkdir()  # the repository's root: the search for .exitkit.toml stops here
    (root / "vendor").mkdir()
    (root / "vendor" / "lib.sh").write_text("kubectl delete pod x || true\n")
    (root / "legacy").mkdir()
    (root / "legacy" / "old.sh").write_text("curl -f x; [ $? -eq 22 ] && echo no\n"
                                            "helm uninstall web || true\n")
    (root / ".exitkit.toml").write_text(config)
    return root


def scanned(root: Path, *args: str, cwd: Path | None = None) -> list[tuple[str, str]]:
    import json

    result = run_exitkit("scan", "--json", *args, cwd=cwd or root)
    assert result.returncode in (0, 1), result.stderr
    return sorted((f["file"], f["id"]) for f in json.loads(result.stdout)["findings"])


CONFIG = """\
[scan]
exclude = ["vendor/"]
disable = ["timeout-124"]

[scan.per-file-disable]
"legacy/*.sh" = ["EK101"]
".github/" = ["or-true"]
"""


def test_config_excludes_paths_and_rules(tmp_path: Path) -> None:
    root = configured(tmp_path, CONFIG)
    assert scanned(root) == [
        (".github/workflows/teardown.yml", "EK103"),
        ("Makefile", "EK102"),
        ("legacy/old.sh", "EK102"),
        ("teardown.sh", "EK102"), ("teardown.sh", "EK102"), ("teardown.sh", "EK103"),
    ]
    # found from a subdirectory too, with its paths still relative to the file's directory
    assert scanned(root, ".", cwd=root / "legacy") == [("old.sh", "EK102")]
    # and from the directory scanned, wherever the scan runs
    outside = scanned(root, str(root / "legacy"), cwd=tmp_path)
    assert outside == [(str(root / "legacy" / "old.sh"), "EK102")]
    # --no-config reads none; --config names one
    assert len(scanned(root, "--no-config")) == 12
    other = tmp_path / "other.toml"
    other.write_text('[scan]\ndisable = ["all"]\n')
    assert scanned(root, "--config", str(other)) == []


def test_config_is_not_read_above_the_repository(tmp_path: Path) -> None:
    root = configured(tmp_path, CONFIG)
    (tmp_path / ".exitkit.toml").write_text('[scan]\ndisable = ["all"]\n')
    (root / ".exitkit.toml").unlink()
    assert len(scanned(root)) == 12


@pytest.mark.parametrize(("config", "message"), [
    ("[scan]\nexclud = []\n",
     "unknown key scan.exclud (known: disable, exclude, per-file-disable)"),
    ("[scan]\ndisable = ['EK999']\n",
     "scan.disable: unknown rule 'EK999' (ids EK101-EK106, their kinds, or all)"),
    ("[scan]\nexclude = 'vendor'\n", "scan.exclude must be a list of non-empty strings"),
    ("[scan]\nexclude = [\n", "invalid TOML: "),
    ("scan = 1\n", "[scan] must be a table"),
    ("[scan]\nper-file-disable = []\n", "[scan.per-file-disable] must be a table of GLOB = [ids]"),
])
def test_a_bad_config_is_a_usage_error(tmp_path: Path, config: str, message: str) -> None:
    root = configured(tmp_path, config)
    result = run_exitkit("scan", cwd=root)
    assert result.returncode == 2
    first, hint = result.stderr.splitlines()
    assert first.startswith(f"exitkit: {root / '.exitkit.toml'}: {message}")
    assert hint == 'exitkit: hint: see docs/scan.md, "Project configuration"'
    assert result.stdout == ""


def test_config_and_no_config_together() -> None:
    result = run_exitkit("scan", "--config", "x.toml", "--no-config")
    assert result.returncode == 2
    assert "contradict" in result.stderr


def test_workflow_and_makefile_rewrites_map_back_into_the_file(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert findings_of(root / ".github" / "workflows" / "teardown.yml", WORKFLOW) == [
        (9, "EK103", True), (15, "EK102", True), (16, "EK104", True)]
    assert findings_of(root / "Makefile", MAKEFILE) == [(2, "EK102", True), (3, "EK104", True)]


# -- the edges an independent review found ------------------------------------------------------


def rewritten(tmp_path: Path, text: str, name: str = "x.sh", *args: str) -> str:
    """*text* in a file, after ``exitkit scan --diff`` applied with ``patch``."""
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    patch = run_exitkit("scan", "--diff", *args, name, cwd=tmp_path).stdout
    if patch:
        subprocess.run(["patch", "-p1", "--quiet"], input=patch, text=True, cwd=tmp_path,
                       check=True)
    return path.read_text()


@pytest.mark.parametrize(("before", "after"), [
    # the environment and the shell's own prefixes stay in front: exitkit run passes both on
    ("FOO=1 kubectl delete pod x || true\n",
     "FOO=1 exitkit run --ok not-found -- kubectl delete pod x\n"),
    ("command kubectl delete pod x || true\n",
     "command exitkit run --ok not-found -- kubectl delete pod x\n"),
    ("exec kubectl delete pod x || true\n",
     "exec exitkit run --ok not-found -- kubectl delete pod x\n"),
    ("set -e\nset +e\nPYTHONPATH=src pytest tests/\nrc=$?\nset -e\n"
     "if [ \"$rc\" -ne 0 ] && [ \"$rc\" -ne 5 ]; then exit \"$rc\"; fi\n",
     "set -e\nPYTHONPATH=src exitkit run --ok no-tests-collected -- pytest tests/\n"),
    # in the body of an if: a statement of its own
    ("if [ -n \"$X\" ]; then\n  kubectl delete pod x || true\nfi\n",
     "if [ -n \"$X\" ]; then\n  exitkit run --ok not-found -- kubectl delete pod x\nfi\n"),
    # without a `set -e` before it the dance still exits, and still turns errexit on
    ("set +e\npytest tests/\nrc=$?\nset -e\nif [ $rc -ne 0 ] && [ $rc -ne 5 ]; then\n"
     "  exit $rc\nfi\nfalse\n",
     "exitkit run --ok no-tests-collected -- pytest tests/ || exit\nset -e\nfalse\n"),
    ("teardown() {\n  set +e\n  pytest\n  rc=$?\n  set -e\n"
     "  if [ $rc -ne 0 ] && [ $rc -ne 5 ]; then exit $rc; fi\n}\n",
     "teardown() {\n  exitkit run --ok no-tests-collected -- pytest || exit\n  set -e\n}\n"),
])
def test_rewrites_keep_what_the_line_meant(tmp_path: Path, before: str, after: str) -> None:
    assert rewritten(tmp_path, before) == after


@pytest.mark.parametrize("text", [
    # as a condition, or before `&&`: the rewrite would change the flow, not fail
    "until kubectl delete pod y || true; do sleep 1; done\n",
    "if kubectl delete pod y || true; then echo gone; fi\n",
    "kubectl delete pod v || true && echo deleted\n",
    "! kubectl delete pod v || true\n",
    # the output of $( ) is run: no place for exitkit run inside it
    "$(kubectl delete pod x) || true\n",
    # the dance's variable read elsewhere: later in arithmetic, or by a trap set before it
    "set +e\npytest\nrc=$?\nset -e\nif [ $rc -ne 0 ] && [ $rc -ne 5 ]; then exit $rc; fi\n"
    "echo \"status: $((rc))\"\n",
    "report() { echo \"pytest said $rc\"; }\ntrap report EXIT\n"
    "set +e\npytest\nrc=$?\nset -e\nif [ $rc -ne 0 ] && [ $rc -ne 5 ]; then exit $rc; fi\n",
])
def test_no_rewrite_where_the_context_reads_the_status(tmp_path: Path, text: str) -> None:
    assert rewritten(tmp_path, text) == text


def test_two_rewrites_of_one_command_never_nest(tmp_path: Path) -> None:
    """rune has a 124 of its own (EK104) and `rune delete` a not-found (EK102): one rewrite."""
    text = rewritten(tmp_path, "timeout 5 rune delete x || true\n")
    assert text.count("exitkit run") == 1, text
    assert text == "exitkit run --timeout 5s -- rune delete x || true\n"


def test_the_rewritten_dance_runs_as_the_dance_did(tmp_path: Path) -> None:
    from conftest import EXITKIT

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "pytest").write_text('#!/bin/sh\nexit "$PYTEST_STATUS"\n')
    (bin_dir / "pytest").chmod(0o755)
    (bin_dir / "exitkit").symlink_to(EXITKIT)
    before = ("set +e\npytest\nrc=$?\nset -e\nif [ $rc -ne 0 ] && [ $rc -ne 5 ]; then\n"
              "  exit $rc\nfi\necho after\nfalse\necho never\n")
    (tmp_path / "lib.sh").write_text("set +e\n")
    cases = {"function": "f() {\n" + before + "}\nif ! f; then echo caught; fi\necho end\n",
             "top": before,
             "errexit on": "set -e\n" + before,
             # errexit switched off out of sight: by a function, by a sourced file
             "errexit off by a function": "set -e\nf() { set +e; }\nf\n" + before,
             "errexit off by a sourced file": "set -e\n. ./lib.sh\n" + before}
    for name, script in cases.items():
        after = rewritten(tmp_path / name, script)
        assert after != script
        for status in ("0", "3", "5"):
            env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "PYTEST_STATUS": status}
            runs = [subprocess.run(["sh", "-c", body], env=env, capture_output=True,
                                   text=True, timeout=60, cwd=tmp_path)
                    for body in (script, after)]
            assert (runs[0].returncode, runs[0].stdout) == (runs[1].returncode,
                                                            runs[1].stdout), (name, status)


def test_a_folded_block_is_read_as_the_shell_gets_it(tmp_path: Path) -> None:
    path = tmp_path / ".github" / "workflows" / "w.yml"
    path.parent.mkdir(parents=True)
    path.write_text("jobs:\n  j:\n    steps:\n      - run: >\n          ssh deploy@host\n"
                    "          kubectl delete pod x || true\n")
    found, _ = Scanner().scan(str(path), WORKFLOW)
    # one command line: ssh's `|| true`, not kubectl's
    assert [(f.line, f.id, f.tool) for f in found] == [(5, "EK102", "ssh")]


def test_paths_outside_the_directory_are_named_from_their_common_directory(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "q.sh").write_text("kubectl delete pod x || true\n")
    patch = run_exitkit("scan", "--diff", "../q.sh", cwd=tmp_path / "sub").stdout
    assert "--- a/q.sh\n" in patch and f"Apply with: cd {tmp_path} && git apply" in patch
    subprocess.run(["patch", "-p1", "--quiet"], input=patch, text=True, cwd=tmp_path,
                   check=True)
    assert (tmp_path / "q.sh").read_text() == "exitkit run --ok not-found -- kubectl delete pod x\n"


def test_one_file_named_twice_is_scanned_once(tmp_path: Path) -> None:
    (tmp_path / "q.sh").write_text("kubectl delete pod x || true\n")
    result = run_exitkit("scan", "--diff", "q.sh", "./q.sh", str(tmp_path / "q.sh"),
                         cwd=tmp_path)
    assert result.stdout.count("@@ ") == 1
    assert result.stderr.startswith("exitkit: 1 mechanical rewrite in the diff")


def test_config_through_a_symlink_and_with_a_bom(tmp_path: Path) -> None:
    root = configured(tmp_path, "\ufeff" + CONFIG)
    link = tmp_path / "link"
    link.symlink_to(root)
    expected = scanned(root)
    assert scanned(link, "--config", str(link / ".exitkit.toml")) == expected
    assert scanned(link, "--config", str(root / ".exitkit.toml")) == expected


def test_a_workflow_step_starting_with_a_comment_keeps_errexit(tmp_path: Path) -> None:
    """The runner's bash runs with -e, whatever the script's first comment says."""
    text = ("jobs:\n  j:\n    steps:\n      - run: |\n          #!/bin/bash\n          set +e\n"
            "          pytest\n          rc=$?\n          set -e\n"
            "          if [ $rc -ne 0 ] && [ $rc -ne 5 ]; then exit $rc; fi\n")
    after = rewritten(tmp_path, text, ".github/workflows/w.yml")
    assert after.endswith("          #!/bin/bash\n"
                          "          exitkit run --ok no-tests-collected -- pytest\n")


def test_the_suggestion_is_the_line_the_diff_writes(tmp_path: Path) -> None:
    """Assignments and the shell's command/exec stay in front of exitkit run in every format, as
    in --diff: after `--` exitkit run would try to run them (127)."""
    script = tmp_path / "s.sh"
    script.write_text("#!/bin/bash\nFOO=1 kubectl delete pod x || true\n"
                      "command kubectl delete pod y || true\n"
                      "exec kubectl delete pod w || true\n"
                      "FOO=2 timeout 20 kubectl get pods\nif [ $? -eq 124 ]; then echo slow; fi\n"
                      "set +e\nBAR=1 proxxx delete 1\nrc=$?\nset -e\n[ $rc -eq 5 ] && exit 0\n")
    result = run_exitkit("scan", "--no-config", "--format", "json", str(script))
    assert [f["suggestion"] for f in json.loads(result.stdout)["findings"]] == [
        "FOO=1 exitkit run --ok not-found -- kubectl delete pod x",
        "command exitkit run --ok not-found -- kubectl delete pod y",
        "exec exitkit run --ok not-found -- kubectl delete pod w",
        "FOO=2 exitkit run --timeout 20s -- kubectl get pods (124 then means a timeout, always)",
        "BAR=1 exitkit run --ok not-found -- proxxx delete 1",
    ]
    diff = run_exitkit("scan", "--no-config", "--diff", str(script)).stdout
    for line in ("+FOO=1 exitkit run --ok not-found -- kubectl delete pod x",
                 "+command exitkit run --ok not-found -- kubectl delete pod y",
                 "+FOO=2 exitkit run --timeout 20s -- kubectl get pods"):
        assert line in diff.splitlines()

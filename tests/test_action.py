"""The GitHub Action (action.yml), its example workflow, and the pre-commit hook."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import IN_CI, ROOT, Tools

BIN = Path(sys.executable).parent


def actionlint() -> str:
    found = shutil.which("actionlint", path=str(BIN)) or shutil.which("actionlint")
    if found is None:
        if IN_CI:
            pytest.fail("actionlint is not installed (pip install -e '.[test]')")
        pytest.skip("actionlint is not installed")
    return found


def lint_workflow(tmp_path: Path, workflow: str) -> subprocess.CompletedProcess[str]:
    """actionlint over *workflow* in a repository holding exitkit's action.yml at its root."""
    repo = tmp_path / "repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(ROOT / "action.yml", repo / "action.yml")
    (repo / ".github" / "workflows" / "teardown.yml").write_text(workflow)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return subprocess.run([actionlint(), ".github/workflows/teardown.yml"], cwd=repo,
                          capture_output=True, text=True, timeout=120)


def test_example_workflow_and_action_pass_actionlint(tmp_path: Path) -> None:
    result = lint_workflow(tmp_path, (ROOT / "examples" / "teardown.yml").read_text())
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_really_checks_the_actions_inputs(tmp_path: Path) -> None:
    text = (ROOT / "examples" / "teardown.yml").read_text()
    ok_line = "          ok: not-found\n"
    broken = text.replace(ok_line, ok_line + "          okay: 5\n")
    assert broken != text
    result = lint_workflow(tmp_path, broken)
    assert result.returncode != 0
    assert 'input "okay" is not defined' in result.stdout


def step_script() -> str:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    steps = {step.get("id"): step for step in action["runs"]["steps"]}
    return str(steps["run"]["run"])


def test_action_declares_the_documented_inputs_and_outputs() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert set(action["inputs"]) == {"run", "ok", "timeout", "retries", "contract",
                                     "working-directory"}
    assert set(action["outputs"]) == {"exit-code", "exit-name", "outcome"}
    assert action["runs"]["using"] == "composite"


@pytest.fixture
def step_env(tools: Tools, tmp_path: Path) -> dict[str, str]:
    tools("proxxx", 'echo "proxxx $*"\nexit "${PROXXX_STATUS:-5}"')
    out = tmp_path / "github_output"
    out.touch()
    return dict(os.environ, GITHUB_OUTPUT=str(out), GITHUB_ACTIONS="true", TEST_VMID="100",
                EXITKIT_INPUT_RUN='proxxx delete "$TEST_VMID" --yes', EXITKIT_INPUT_OK="not-found",
                EXITKIT_INPUT_TIMEOUT="1m", EXITKIT_INPUT_RETRIES="0", EXITKIT_INPUT_CONTRACT="")


def run_step(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step_script()],
                          capture_output=True, text=True, env=env, timeout=60)


def test_action_step_tolerates_not_found_by_the_commands_contract(step_env: dict[str, str]) -> None:
    result = run_step(step_env)
    assert result.returncode == 0, result.stderr
    assert "proxxx delete 100 --yes" in result.stdout
    outputs = Path(step_env["GITHUB_OUTPUT"]).read_text()
    assert "exit-name=not-found\n" in outputs
    assert "outcome=tolerated\n" in outputs


def test_action_step_fails_on_a_real_failure(step_env: dict[str, str]) -> None:
    result = run_step(step_env | {"PROXXX_STATUS": "4"})
    assert result.returncode == 4
    assert "::error title=proxxx exited 4 (auth)::" in result.stderr
    assert "outcome=failure\n" in Path(step_env["GITHUB_OUTPUT"]).read_text()


def test_pre_commit_manifest_is_valid_and_runs_exitkit_lint(tmp_path: Path) -> None:
    from pre_commit.clientlib import load_manifest

    hooks = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    hook = next(h for h in hooks if h["id"] == "exitkit-lint")
    import re

    pattern = re.compile(hook["files"])
    assert pattern.search("exitkit/mytool.toml")
    assert pattern.search("src/mytool/contracts/mytool.toml")
    assert not pattern.search("pyproject.toml")
    bad = ROOT / "tests" / "fixtures" / "bad" / "code_out_of_range.toml"
    result = subprocess.run([*hook["entry"].split(), str(bad)], capture_output=True, text=True,
                            )
    assert result.returncode == 1
    assert "exit[1].code: must be 0..255, got 300" in result.stdout

"""The pre-commit hook exitkit publishes (.pre-commit-hooks.yaml)."""

from __future__ import annotations

import re
import subprocess

from conftest import ROOT


def test_pre_commit_manifest_is_valid_and_runs_exitkit_lint() -> None:
    from pre_commit.clientlib import load_manifest

    hooks = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    hook = next(h for h in hooks if h["id"] == "exitkit-lint")
    pattern = re.compile(hook["files"])
    assert pattern.search("exitkit/mytool.toml")
    assert pattern.search("src/mytool/contracts/mytool.toml")
    assert not pattern.search("pyproject.toml")
    bad = ROOT / "tests" / "fixtures" / "bad" / "code_out_of_range.toml"
    result = subprocess.run([*hook["entry"].split(), str(bad)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1
    assert "exit[1].code: must be 0..255, got 300" in result.stdout

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
    # one convention: the directory of the search path, where the docs tell authors to keep it
    assert pattern.search(".exitkit/mytool.toml")
    assert pattern.search("tools/cli/.exitkit/mytool.toml")
    assert not pattern.search("exitkit/mytool.toml")
    assert not pattern.search("contracts/mytool.toml")
    assert not pattern.search("pyproject.toml")
    assert not pattern.search(".exitkit/sub/mytool.toml")
    bad = ROOT / "tests" / "fixtures" / "bad" / "code_out_of_range.toml"
    result = subprocess.run([*hook["entry"].split(), str(bad)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1
    assert "exit[1].code: must be 0..255, got 300" in result.stdout


def test_the_hook_the_search_path_and_the_docs_name_one_directory(world: object) -> None:
    from pre_commit.clientlib import load_manifest

    from exitkit.contracts.loader import search_dirs

    hook = next(h for h in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
                if h["id"] == "exitkit-lint")
    project_dir = ".exitkit"
    assert project_dir in search_dirs()
    assert re.compile(hook["files"]).search(f"{project_dir}/mytool.toml")
    for doc in ("README.md", "docs/authors.md", "docs/contracts.md"):
        assert f"{project_dir}/mytool.toml" in (ROOT / doc).read_text(), doc

"""A contract with only what is required: name, version and a few [[exit]] rows, no summary.

Every command takes it: lint, show in every format, run with -c and through $EXITKIT_PATH,
diff, explain and the shell code."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import Tools, run_exitkit

MINIMAL = """\
name = "mytool"
version = "1.0.0"

[[exit]]
code = 0
name = "success"
kind = "success"
meaning = "It worked"

[[exit]]
code = 5
name = "not-found"
kind = "not-found"
meaning = "No such thing"
"""


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    path = tmp_path / "contracts" / "mytool.toml"
    path.parent.mkdir()
    path.write_text(MINIMAL)
    return path


def test_lint_passes_it_strictly(minimal: Path) -> None:
    result = run_exitkit("lint", "--strict", str(minimal))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("fmt", ["table", "markdown", "json", "toml"])
def test_show_renders_it_without_an_empty_summary(minimal: Path, fmt: str) -> None:
    result = run_exitkit("show", str(minimal), "--format", fmt)
    assert result.returncode == 0, result.stderr
    if fmt == "table":
        assert result.stdout.splitlines()[0] == "mytool 1.0.0"
    elif fmt == "markdown":
        assert result.stdout.startswith("## mytool exit codes\n\n| Code |")
    elif fmt == "json":
        assert json.loads(result.stdout)["summary"] == ""
    else:
        back = minimal.with_name("back.toml")
        back.write_text(result.stdout.replace('name = "mytool"', 'name = "back"'))
        assert run_exitkit("lint", "--strict", str(back)).returncode == 0


def test_run_reads_it_with_c_and_through_the_search_path(minimal: Path, tools: Tools) -> None:
    tools.exits("mytool", 5)
    by_file = run_exitkit("run", "--ok", "not-found", "-c", str(minimal), "--", "mytool")
    assert (by_file.returncode, by_file.stderr) == (
        0, "exitkit: mytool exited 5 (not-found); tolerated by --ok\n")
    by_path = run_exitkit("run", "--ok", "not-found", "--", "mytool",
                          env={**os.environ, "EXITKIT_PATH": str(minimal.parent)})
    assert (by_path.returncode, by_path.stderr) == (
        0, "exitkit: mytool exited 5 (not-found); tolerated by --ok\n")


def test_diff_explain_and_shell_take_it(minimal: Path) -> None:
    newer = minimal.with_name("newer.toml")
    newer.write_text(MINIMAL.replace('"1.0.0"', '"1.1.0"') + '\n[[exit]]\ncode = 7\n'
                     'name = "busy"\nkind = "transient"\nmeaning = "Busy"\n')
    diff = run_exitkit("diff", str(minimal), str(newer))
    assert diff.returncode == 0, diff.stdout + diff.stderr
    explain = run_exitkit("explain", "-c", str(minimal), "5")
    assert explain.stdout.startswith("mytool 5 not-found (not-found): No such thing\n")
    shell = run_exitkit("shell", "sh", str(minimal))
    assert shell.returncode == 0, shell.stderr
    assert "MYTOOL_EXIT_NOT_FOUND=5" in shell.stdout

"""The tools the README's install path runs before anything is installed (tools/check-python.sh)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT, Tools

CHECK = ROOT / "tools" / "check-python.sh"


def python_reporting(tools: Tools, version: tuple[int, int, int]) -> Path:
    """A real Python interpreter that reports *version* (like the Xcode tools' 3.9)."""
    patch = f"import sys; sys.version_info = {(*version, 'final', 0)!r}; exec(sys.argv[1])"
    return tools(f"python{version[0]}.{version[1]}",
                 f'[ "$1" = -c ] || exit 99\nexec "{sys.executable}" -c "{patch}" "$2"')


def check(python: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sh", str(CHECK), python], capture_output=True, text=True, timeout=60)


def test_a_python_older_than_3_10_gets_one_line_naming_the_way_out(tools: Tools) -> None:
    old = python_reporting(tools, (3, 9, 6))
    result = check(str(old))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"exitkit: needs Python 3.10 or newer, but {old} is 3.9; install one (python.org, "
        "'brew install python@3.13', pyenv) and run: make PYTHON=python3.13 test\n")


def test_a_python_that_is_new_enough_passes_silently(tools: Tools) -> None:
    result = check(str(python_reporting(tools, (3, 10, 0))))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert check(sys.executable).returncode == 0


def test_a_missing_python_is_named(tools: Tools) -> None:
    result = check("python-that-is-not-here")
    assert result.returncode == 1
    assert result.stderr.startswith("exitkit: python-that-is-not-here not found; exitkit needs "
                                    "Python 3.10 or newer")


def test_make_stops_at_the_check_before_building_anything(tools: Tools, tmp_path: Path) -> None:
    old = python_reporting(tools, (3, 9, 6))
    venv = tmp_path / "venv"
    result = subprocess.run(["make", "-C", str(ROOT), f"VENV={venv}", f"PYTHON={old}", "pytest"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert f"exitkit: needs Python 3.10 or newer, but {old} is 3.9" in result.stderr
    assert "pip" not in result.stderr
    assert not venv.exists()

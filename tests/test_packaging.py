"""The package as packagers get it: the sdist and the wheel built from this checkout, inspected,
and the wheel installed into a fresh virtual environment."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import IN_CI, ROOT
from exitkit import __version__
from exitkit.cli.complete import INSTALLED

MANPAGE = "share/man/man1/exitkit.1"
DATA = [*INSTALLED.values(), MANPAGE]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and the wheel, built as `python -m build` builds them (the wheel from the sdist,
    so a file the sdist lacks breaks the wheel too)."""
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out


def sdist_names(dist: Path) -> set[str]:
    (path,) = dist.glob("exitkit-*.tar.gz")
    with tarfile.open(path) as tar:
        return {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}


def wheel_files(dist: Path) -> dict[str, bytes]:
    (path,) = dist.glob("exitkit-*.whl")
    with zipfile.ZipFile(path) as whl:
        return {name: whl.read(name) for name in whl.namelist()}


def tracked(*paths: str) -> list[str]:
    """The files git tracks under *paths* (what a clean checkout has)."""
    out = subprocess.run(["git", "-C", str(ROOT), "ls-files", "--", *paths],
                         capture_output=True, text=True, check=True).stdout
    return out.splitlines()


def test_the_sdist_holds_what_building_and_testing_need(dist: Path) -> None:
    names = sdist_names(dist)
    needed = ["LICENSE", "README.md", "Makefile", "action.yml", "pyproject.toml", "MANIFEST.in",
              *tracked("share", "shell", "tests", "tests_bats", "action", "tools", "docs",
                       "examples", "constraints", ".ci", "src")]
    missing = [name for name in needed if name not in names]
    assert missing == []
    assert "tests/fixtures/bad/code_out_of_range.toml" in names
    assert "tests/helpers" in {name.rsplit("/", 1)[0] for name in names}


def test_the_sdist_holds_nothing_generated_locally(dist: Path) -> None:
    for name in sdist_names(dist):
        parts = name.split("/")
        assert not {"__pycache__", ".venv", "mutants", ".hypothesis", ".tools"} & set(parts), name
        assert not name.endswith((".pyc", ".pyo")), name


def test_the_wheel_installs_completions_and_the_man_page_where_shells_and_man_look(
        dist: Path) -> None:
    files = wheel_files(dist)
    data = f"exitkit-{__version__}.data/data/"
    for path in DATA:
        assert files[data + path] == (ROOT / path).read_bytes(), path
    assert files[f"exitkit-{__version__}.dist-info/licenses/LICENSE"] == (
        ROOT / "LICENSE").read_bytes()
    assert "exitkit/contracts/builtin/proxxx.toml" in files
    assert "exitkit/py.typed" in files
    assert not [name for name in files if name.startswith(("tests/", "shell/"))]


def test_the_license_is_the_mit_text_the_metadata_declares(dist: Path) -> None:
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in text
    metadata = wheel_files(dist)[f"exitkit-{__version__}.dist-info/METADATA"].decode()
    assert "License-Expression: MIT\n" in metadata
    assert "License-File: LICENSE\n" in metadata


def test_a_fresh_install_of_the_wheel_has_them_under_its_prefix(dist: Path,
                                                                tmp_path: Path) -> None:
    prefix = tmp_path / "prefix"
    venv.create(prefix, with_pip=True)
    (wheel,) = dist.glob("exitkit-*.whl")
    subprocess.run([str(prefix / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps",
                    "--no-index", str(wheel)], check=True, timeout=300)
    for path in DATA:
        assert (prefix / path).read_bytes() == (ROOT / path).read_bytes()
    version = subprocess.run([str(prefix / "bin" / "exitkit"), "--version"], capture_output=True,
                             text=True, timeout=60)
    assert (version.returncode, version.stdout) == (0, f"exitkit {__version__}\n")
    bash = shutil.which("bash")
    if bash is not None:  # bash-completion's loader sources the file by the command's name
        loaded = subprocess.run(
            [bash, "--norc", "-c",
             f'. "{prefix / INSTALLED["bash"]}" && complete -p exitkit'],
            capture_output=True, text=True, timeout=60)
        assert loaded.returncode == 0, loaded.stderr
        assert loaded.stdout.rstrip().endswith(" exitkit")


def man_linter() -> list[str] | None:
    if shutil.which("groff"):
        return ["groff", "-man", "-Tutf8", "-ww", "-z"]
    if shutil.which("mandoc"):  # macOS
        return ["mandoc", "-Tlint", "-Wwarning"]
    return None


def test_the_man_page_formats_without_a_warning() -> None:
    linter = man_linter()
    if linter is None:
        if IN_CI:
            pytest.fail("CI needs groff (groff-base) or mandoc to check the man page")
        pytest.skip("needs groff or mandoc")
    result = subprocess.run([*linter, str(ROOT / MANPAGE)], capture_output=True, text=True,
                            timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def rendered_manpage() -> str:
    """The page as man shows it, as plain text (no bold or underline)."""
    if shutil.which("groff") is None:
        if IN_CI:
            pytest.fail("CI needs groff (groff-base) to read the man page")
        pytest.skip("needs groff")
    out = subprocess.run(["groff", "-man", "-Tutf8", "-rLL=200n", str(ROOT / MANPAGE)],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    return re.sub(r".\x08", "", out)


def test_the_man_page_says_what_help_says() -> None:
    from exitkit.cli import spec
    from exitkit.contracts.loader import load_builtin

    page = rendered_manpage()
    lines = [" ".join(line.split()) for line in page.splitlines()]
    for command in spec.COMMANDS:
        if command.hidden:
            continue
        assert any(line.startswith(f"exitkit {command.name} ") for line in lines), command.name
        for example in command.examples:
            assert " ".join(example.split()) in lines, example
        for option in command.options:
            for name in option.names:
                assert name in page, (command.name, name)
    for row in load_builtin("exitkit").exits:
        assert f"{row.code} {row.name}" in lines


@pytest.mark.parametrize(("text", "expected"), [
    ("plain", "plain"),
    ("--ok not-found", "\\-\\-ok not\\-found"),
    ("C:\\path", "C:\\epath"),
    (".TH EVIL 1", "\\&.TH EVIL 1"),
    ("'br", "\\&'br"),
    ("a .B b", "a .B b"),
    ("Read SOURCE \u2014 a page", "Read SOURCE \\[u2014] a page"),
    ("caf\u00e9 \U0001f600", "caf\\[u00E9] \\[u1F600]"),
])
def test_roff_keeps_text_literal(text: str, expected: str) -> None:
    from exitkit.cli.manpage import roff

    assert roff(text) == expected

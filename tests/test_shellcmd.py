"""`exitkit shell` argument handling and shell detection."""

from __future__ import annotations

import subprocess

import pytest

from conftest import run_exitkit
from exitkit.errors import ExitkitError
from exitkit.shells.command import detect_shell, generate
from shells_util import program


def detected(outer: list[str], inner: list[str]) -> str:
    """What `exitkit shell proxxx` prints when *inner* runs it from a command substitution and
    *inner* itself was started by *outer* (a different shell, so that detection cannot succeed
    by walking past the caller to an ancestor)."""
    script = 'out=$(exitkit shell proxxx); printf %s "$out"'
    if inner[0].endswith("fish"):
        script = "exitkit shell proxxx | string collect"
    command = " ".join([*inner, "-c", f"'{script}'"])
    out = subprocess.run([*outer, "-c", command], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_detects_bash_when_called_from_bash() -> None:
    code = detected([*program("fish"), "--no-config"], [*program("bash"), "--noprofile", "--norc"])
    assert code.rstrip("\n") == run_exitkit("shell", "bash", "proxxx").stdout.rstrip("\n")


def test_detects_fish_when_called_from_fish() -> None:
    code = detected([*program("bash"), "--noprofile", "--norc"], [*program("fish"), "--no-config"])
    assert code.rstrip("\n") == run_exitkit("shell", "fish", "proxxx").stdout.rstrip("\n")


def test_first_word_is_a_shell_only_when_it_names_one() -> None:
    assert generate(["sh", "proxxx"]).count("PROXXX_EXIT_NOT_FOUND=5") == 1
    assert "EXIT_TIMEOUT=124" in generate(["sh"])  # no contract: the shell conventions
    both = generate(["sh", "proxxx", "raid"])
    assert "proxxx_exit_name()" in both and "raid_error_exit()" in both


def test_a_missing_contract_prints_nothing_and_fails() -> None:
    result = run_exitkit("shell", "bash", "proxxx", "nosuch")
    assert result.returncode == 3
    assert result.stdout == ""
    assert "no contract named 'nosuch'" in result.stderr


def test_prefix_with_several_contracts_is_a_usage_error() -> None:
    result = run_exitkit("shell", "bash", "proxxx", "raid", "--prefix", "X")
    assert result.returncode == 2
    assert result.stdout == ""


def test_falls_back_to_dollar_shell_then_explains(monkeypatch: pytest.MonkeyPatch) -> None:
    import shellingham

    def fail() -> tuple[str, str]:
        raise shellingham.ShellDetectionFailure()

    monkeypatch.setattr(shellingham, "detect_shell", fail)
    monkeypatch.setenv("SHELL", "/usr/local/bin/zsh")
    assert detect_shell() == "zsh"
    monkeypatch.setenv("SHELL", "/bin/dash")
    assert detect_shell() == "sh"
    monkeypatch.setenv("SHELL", "/bin/tcsh")
    with pytest.raises(ExitkitError, match=r"cannot tell which shell") as info:
        detect_shell()
    assert info.value.exit == "usage"
    assert "bash,zsh,fish,sh" in (info.value.hint or "")

"""Constants that would be special or read-only in a shell are refused (contracts/reserved.py).

The list is checked against the shells themselves: every variable an installed shell refuses to
assign, whose name exitkit's ``PREFIX_NAME`` scheme could produce, must be on it.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from exitkit.contracts.loader import builtin_names, load_builtin, parse_contract
from exitkit.contracts.model import Contract, ExitCode
from exitkit.contracts.reserved import reserved_names, why_reserved
from exitkit.shells import SHELLS, render
from shells_util import program

#: What exitkit can generate: PREFIX "_" IDENT, IDENT the upper-cased kebab exit name.
CONSTANT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*?)_([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)")


def split(name: str) -> tuple[str, str] | None:
    """A (prefix, exit name) that makes *name*, or None when no contract can."""
    match = CONSTANT.fullmatch(name)
    if match is None:
        return None
    return match[1], match[2].lower().replace("_", "-")


REACHABLE = sorted(n for n in reserved_names() if split(n) is not None)


@pytest.mark.parametrize(("name", "why"), [
    ("BASH_ENV", "BASH_ENV is one of bash's own variables"),
    ("BASH_VERSINFO", "BASH_VERSINFO is read-only in bash"),
    ("ZSH_SUBSHELL", "ZSH_SUBSHELL is read-only in zsh"),
    ("FISH_VERSION", "FISH_VERSION is read-only in fish"),
    ("KSH_VERSION", "KSH_VERSION is read-only in mksh"),
    ("POSH_VERSION", "POSH_VERSION is read-only in posh"),
    ("PPID", "PPID is read-only in bash and zsh"),
    ("PROMPT_COMMAND", "PROMPT_COMMAND is one of bash's own variables"),
    ("POSIXLY_CORRECT", "POSIXLY_CORRECT is a POSIX shell variable"),
    ("LC_ALL", "LC_ALL is a POSIX shell variable"),
    ("LC_FOO", "LC_FOO is in the locale's namespace (LC_*)"),
    ("LD_PRELOAD", "LD_PRELOAD is in the dynamic loader's namespace (LD_*)"),
    ("GITHUB_OUTPUT", "GITHUB_OUTPUT is in GitHub Actions' namespace (GITHUB_*)"),
    ("COMMAND_NOT_FOUND_HANDLER", "COMMAND_NOT_FOUND_HANDLER is one of yash's own variables"),
    ("bash_env", "BASH_ENV is one of bash's own variables"),  # Windows reads case-blind
    ("PROXXX_EXIT_NOT_FOUND", None),
    ("GIT_EXIT_NOT_FOUND", None),  # a default prefix: the families do not apply
    ("EXITKIT_EXIT_USAGE", None),
    ("EXITKIT_USAGE", "EXITKIT_USAGE is in exitkit's namespace (EXITKIT_*)"),
    ("GIT_DIR", "GIT_DIR is in git's namespace (GIT_*)"),
    ("EX_USAGE", None),
])
def test_why_a_name_is_reserved(name: str, why: str | None) -> None:
    assert why_reserved(name) == why


def test_every_shipped_constant_is_free() -> None:
    for name in builtin_names():
        contract = load_builtin(name)
        assert [c for e in contract.exits
                if why_reserved(c := contract.constant(e)) is not None] == [], name


@pytest.mark.parametrize("name", REACHABLE)
def test_lint_rejects_and_shell_refuses_every_reachable_reserved_name(name: str) -> None:
    parts = split(name)
    assert parts is not None
    prefix, exit_name = parts
    data = {"name": "tool", "version": "1.0.0", "summary": "s", "prefix": prefix,
            "exit": [{"code": 5, "name": exit_name, "kind": "failure", "meaning": "m"}]}
    contract, problems = parse_contract(data, "tool.toml")
    assert contract is None
    assert [str(p) for p in problems] == [
        f"tool.toml: exit[0].name: the shell constant {why_reserved(name)}; choose another "
        "prefix or exit name"]
    plain = Contract("tool", "1.0.0", "s", [ExitCode(5, exit_name, "failure", "m")])
    for shell in SHELLS:
        with pytest.raises(ValueError, match=re.escape(f"the shell constant {why_reserved(name)}")):
            render(shell, [plain], prefix=prefix)


def test_a_default_prefix_names_the_exit_as_what_to_change() -> None:
    data = {"name": "bash", "version": "1.0.0", "summary": "s",
            "exit": [{"code": 5, "name": "x", "kind": "failure", "meaning": "m"}]}
    assert parse_contract(data, "t.toml")[1] == []  # BASH_EXIT_X: the families do not apply


# --- the list against the shells themselves --------------------------------------------------


#: shell → (argv, script printing every variable name it knows, one per line)
LISTERS: dict[str, tuple[str, str]] = {
    "bash": ("bash", "compgen -v"),
    "zsh": ("zsh", "print -rl -- ${(k)parameters}"),
    "dash": ("dash", "set | sed -n 's/^\\([A-Za-z_][A-Za-z0-9_]*\\)=.*/\\1/p'"),
    "ash": ("ash", "set | sed -n 's/^\\([A-Za-z_][A-Za-z0-9_]*\\)=.*/\\1/p'"),
    "ksh": ("ksh", "typeset + | sed -n 's/.* //p; /^[A-Za-z_]/p'"),
    "mksh": ("mksh", "typeset + | sed -n 's/.* //p; /^[A-Za-z_]/p'"),
    "yash": ("yash", "set | sed -n 's/^\\([A-Za-z_][A-Za-z0-9_]*\\)=.*/\\1/p'"),
    "posh": ("posh", "set"),  # names only
}


def refused_in(shell: str, names: list[str]) -> set[str]:
    """The names among *names* that *shell* will not let a script assign."""
    argv = program(LISTERS[shell][0])
    if shell == "zsh":
        argv = [*argv, "-f"]
    script = 'for n in "$@"; do (eval "$n=5") >/dev/null 2>&1 || echo "$n"; done'
    result = subprocess.run([*argv, "-c", script, shell, *names], capture_output=True, text=True,
                            timeout=120)
    return set(result.stdout.split())


@pytest.mark.parametrize("shell", LISTERS)
def test_every_variable_a_shell_refuses_to_set_is_reserved(shell: str) -> None:
    argv = program(LISTERS[shell][0])
    if shell == "zsh":
        argv = [*argv, "-f"]
    listed = subprocess.run([*argv, "-c", LISTERS[shell][1]], capture_output=True, text=True,
                            timeout=60).stdout.split()
    assert len(listed) > 5, listed  # the lister works in this shell
    candidates = sorted({n for n in listed if split(n) is not None} | set(REACHABLE))
    refused = refused_in(shell, candidates)
    assert "PATH" not in refused  # the probe itself works: PATH can be assigned
    assert sorted(n for n in refused if why_reserved(n) is None) == []


def test_every_variable_fish_refuses_to_set_is_reserved() -> None:
    fish = program("fish")
    listed = subprocess.run([*fish, "--no-config", "-c", "set -n"], capture_output=True,
                            text=True, timeout=60).stdout.split()
    candidates = sorted({n for n in listed if split(n) is not None} | set(REACHABLE))
    script = "for n in $argv; fish --no-config -c \"set -g $n 5\" 2>/dev/null; or echo $n; end"
    result = subprocess.run([*fish, "--no-config", "-c", script, *candidates],
                            capture_output=True, text=True, timeout=300)
    refused = set(result.stdout.split())
    assert "FISH_VERSION" in refused  # the probe works
    assert sorted(n for n in refused if why_reserved(n) is None) == []


@pytest.mark.parametrize(("shell", "name"), [("bash", "BASH_VERSINFO"), ("zsh", "ZSH_SUBSHELL"),
                                             ("mksh", "KSH_VERSION"), ("posh", "POSH_VERSION")])
def test_the_read_only_names_are_read_only_there(shell: str, name: str) -> None:
    assert refused_in(shell, [name, "PATH"]) == {name}

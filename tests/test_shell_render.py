"""The generated shell code, executed in the real shells.

Every snippet must survive its own shell: each test renders contracts, sources the result (three
times, in strict mode) and checks what a script sees. Shells come from :mod:`shells_util`: a missing
one skips, or fails when ``EXITKIT_REQUIRE_SHELLS`` names it.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import shells_util
from conftest import Tools
from exitkit import __version__
from exitkit.contracts.loader import builtin_names, load_builtin
from exitkit.contracts.model import KINDS, Contract, ErrorCode, ExitCode
from exitkit.shells import EXTENSIONS, SHELLS, render
from shells_util import PROGRAMS, program

VERSION = "9.9.9"  # a fixed generator version keeps expected output independent of releases

PROXXX = Contract(
    "proxxx",
    "1.0.0",
    "Proxmox VE command-line client",
    [
        ExitCode(0, "success", "success", "Success"),
        ExitCode(1, "failure", "failure", "Generic failure"),
        ExitCode(4, "auth", "auth", "Authentication / authorization", recovery="Refresh the token"),
        ExitCode(
            5,
            "not-found",
            "not-found",
            "Resource not found",
            recovery="Already gone: idempotent OK on teardown",
        ),
        ExitCode(7, "cluster-transient", "transient", "Cluster busy", recovery="Retry"),
    ],
    prefix="PROXXX_EXIT",
)

RAID = Contract(
    "raid",
    "2.1.0",
    "Multi-repo workspace manager",
    [
        ExitCode(0, "success", "success", "The command completed successfully."),
        ExitCode(5, "not-found", "not-found", "A referenced resource does not exist."),
        ExitCode(9, "network", "network", "A network operation failed."),
    ],
    errors=[
        ErrorCode("REPO_NOT_CLONED", "not-found", "A repo path doesn't exist on disk"),
        ErrorCode("CLONE_FAILED", "network", "git clone failed"),
        # Glob characters must match literally, never as patterns.
        ErrorCode("*", "success", "star"),
        ErrorCode("a?c", "network", "question mark"),
        ErrorCode("[ab]", "network", "bracket"),
        ErrorCode("x\\*", "not-found", "backslash star"),
        ErrorCode("-h", "network", "looks like an option"),
    ],
)

#: runner → (program in shells_util, generated dialect, argv between program and script)
RUNNERS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "bash": ("bash", "bash", ("--noprofile", "--norc", "-euo", "pipefail", "-c")),
    "zsh": ("zsh", "zsh", ("-f", "-euo", "pipefail", "-c")),
    "dash": ("dash", "sh", ("-eu", "-c")),
    "ash": ("ash", "sh", ("-eu", "-c")),
    "ksh": ("ksh", "sh", ("-eu", "-c")),
    "mksh": ("mksh", "sh", ("-eu", "-c")),
    "yash": ("yash", "sh", ("-eu", "-c")),
    "posh": ("posh", "sh", ("-eu", "-c")),
    "fish": ("fish", "fish", ("--no-config", "-c")),
}


def is_fish(runner: str) -> bool:
    return RUNNERS[runner][1] == "fish"


def probe(runner: str, command: str) -> str:
    """Script text that runs *command* and prints ``rc=N``, even under ``set -e``."""
    if is_fish(runner):
        return f"{command}; builtin printf 'rc=%s\\n' $status"
    report = "\\command printf" if RUNNERS[runner][1] == "sh" else "\\builtin printf"
    return f"if {command}; then {report} 'rc=0\\n'; else {report} 'rc=%s\\n' \"$?\"; fi"


def run(
    runner: str,
    tmp: Path,
    code: str,
    script: str = "",
    *args: str,
    before: str = "",
) -> subprocess.CompletedProcess[bytes]:
    """Source *code* three times in *runner* (strict mode), then run *script* with *args*."""
    name, dialect, flags = RUNNERS[runner]
    argv = program(name)
    path = tmp / f"code{EXTENSIONS[dialect]}"
    path.write_text(code, encoding="utf-8")
    source = "source $EXITKIT_CODE" if is_fish(runner) else '. "$EXITKIT_CODE"'
    text = "\n".join([before, source, source, source, script])
    tail = ["--", *args] if is_fish(runner) else [runner, *args]
    world = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "EXITKIT_CODE": str(path),
    }
    return subprocess.run(
        [*argv, *flags, text, *tail], capture_output=True, env=world, timeout=60, check=False
    )


def lines(*items: str) -> bytes:
    return "".join(f"{item}\n" for item in items).encode()


# --- sourcing -------------------------------------------------------------------------------


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("export", [False, True], ids=["plain", "export"])
def test_sourcing_three_times_in_strict_mode_prints_nothing(
    runner: str, export: bool, tmp_path: Path
) -> None:
    code = render(RUNNERS[runner][1], [PROXXX, RAID], export=export, generator_version=VERSION)
    result = run(runner, tmp_path, code)
    assert (result.returncode, result.stdout, result.stderr) == (0, b"", b"")


@pytest.mark.parametrize("runner", RUNNERS)
def test_every_builtin_contract_survives_its_shell(runner: str, tmp_path: Path) -> None:
    contracts = [load_builtin(name) for name in builtin_names()]
    code = render(RUNNERS[runner][1], contracts)
    result = run(runner, tmp_path, code, probe(runner, "raid_error_exit REPO_NOT_CLONED"))
    assert (result.returncode, result.stdout, result.stderr) == (0, lines("5", "rc=0"), b"")


# --- what a script sees ---------------------------------------------------------------------


@pytest.mark.parametrize("runner", RUNNERS)
def test_lookups_answer_for_known_codes(runner: str, tmp_path: Path) -> None:
    code = render(RUNNERS[runner][1], [PROXXX], generator_version=VERSION)
    script = "\n".join(
        probe(runner, command)
        for command in [
            "proxxx_exit_name 5",
            "proxxx_exit_name 7",
            "proxxx_exit_kind 7",
            "proxxx_exit_describe 5",
            "proxxx_exit_describe 1",
            "proxxx_exit_is not-found 5",
            "proxxx_exit_is transient 7",
            "proxxx_exit_is cluster-transient 7",
        ]
    )
    result = run(runner, tmp_path, code, script)
    assert result.stderr == b""
    assert result.stdout == lines(
        "not-found",
        "rc=0",
        "cluster-transient",
        "rc=0",
        "transient",
        "rc=0",
        "5 not-found: Resource not found (recovery: Already gone: idempotent OK on teardown)",
        "rc=0",
        "1 failure: Generic failure",
        "rc=0",
        "rc=0",
        "rc=0",
        "rc=0",
    )


@pytest.mark.parametrize("runner", RUNNERS)
def test_lookups_right_after_a_failed_command_still_answer(runner: str, tmp_path: Path) -> None:
    """The typical call follows a failure: `tool …; proxxx_exit_name $status` in fish."""
    code = render(RUNNERS[runner][1], [PROXXX], generator_version=VERSION)
    if is_fish(runner):
        script = "false; proxxx_exit_name 1; builtin printf 'rc=%s\\n' $status\n" \
            "false; proxxx_exit_is failure 1; builtin printf 'rc=%s\\n' $status"
    else:  # in an else branch $? is still the failure's, even under set -e
        script = "\n".join(
            f"if false; then :; else {probe(runner, command)}; fi"
            for command in ("proxxx_exit_name 1", "proxxx_exit_is failure 1")
        )
    result = run(runner, tmp_path, code, script)
    assert result.stderr == b""
    assert result.stdout == lines("failure", "rc=0", "rc=0")


@pytest.mark.parametrize("runner", RUNNERS)
def test_unknown_codes_names_and_missing_arguments_give_status_1_and_no_output(
    runner: str, tmp_path: Path
) -> None:
    code = render(RUNNERS[runner][1], [PROXXX, RAID], generator_version=VERSION)
    commands = [
        "proxxx_exit_name 99",
        "proxxx_exit_kind 99",
        "proxxx_exit_describe 099",
        "proxxx_exit_name not-found",
        "proxxx_exit_is auth 5",
        "proxxx_exit_is not-found 4",
        "proxxx_exit_is not-found 99",
        "proxxx_exit_name",  # no argument at all: nounset must not trip
        "proxxx_exit_is",
        "raid_error_exit NO_SUCH_ERROR",
        "raid_error_exit ''",
        "raid_error_exit",
    ]
    result = run(runner, tmp_path, code, "\n".join(probe(runner, c) for c in commands))
    assert (result.stdout, result.stderr) == (lines(*["rc=1"] * len(commands)), b"")


NUMBERS = ["5", "05", "005", " 5", "5 ", "+5", "-1", "256", "261", "99", "0", "255", "", "x",
           "5\n", "\u0665"]


@pytest.mark.parametrize("runner", RUNNERS)
def test_one_rule_for_numbers_in_every_helper(runner: str, tmp_path: Path) -> None:
    """What is a code, for the helpers, is what contracts.model.parse_code says, as for explain
    and run: a code the contract lacks is described, anything else is status 1."""
    from exitkit.contracts.model import parse_code

    code = render(RUNNERS[runner][1], [PROXXX], generator_version=VERSION)
    if is_fish(runner):
        script = "for c in $argv\n" + probe(runner, 'proxxx_exit_describe "$c"') + "\nend"
    else:
        script = 'for c in "$@"; do ' + probe(runner, 'proxxx_exit_describe "$c"') + "; done"
    result = run(runner, tmp_path, code, script, *NUMBERS)
    expected = []
    for text in NUMBERS:
        number = parse_code(text)
        if number == 5:
            expected += ["5 not-found: Resource not found (recovery: Already gone: idempotent "
                         "OK on teardown)", "rc=0"]
        elif number is not None and PROXXX.lookup(number) is None:
            expected += [f"{text}: no meaning in the proxxx contract", "rc=0"]
        elif number is not None:
            expected += [f"{text} " + ("success: Success" if number == 0 else "?"), "rc=0"]
        else:
            expected += ["rc=1"]
    assert (result.stdout.decode(), result.stderr) == ("".join(f"{x}\n" for x in expected), b"")


@pytest.mark.parametrize("runner", RUNNERS)
def test_error_codes_map_to_exit_numbers_and_glob_characters_match_literally(
    runner: str, tmp_path: Path
) -> None:
    code = render(RUNNERS[runner][1], [RAID], generator_version=VERSION)
    script = (
        "for q in $argv\n    " + probe(runner, "raid_error_exit $q") + "\nend"
        if is_fish(runner)
        else 'for q in "$@"; do\n  ' + probe(runner, 'raid_error_exit "$q"') + "\ndone"
    )
    queries = {
        "REPO_NOT_CLONED": "5",
        "CLONE_FAILED": "9",
        "*": "0",
        "a?c": "9",
        "[ab]": "9",
        "x\\*": "5",
        "-h": "9",
        # Strings the patterns would match as globs:
        "anything": None,
        "abc": None,
        "a": None,
        "x\\yz": None,
        "REPO_NOT_CLONED ": None,
        "repo_not_cloned": None,
    }
    result = run(runner, tmp_path, code, script, *queries)
    assert result.stderr == b""
    expected: list[str] = []
    for answer in queries.values():
        expected += ["rc=1"] if answer is None else [answer, "rc=0"]
    assert result.stdout == lines(*expected)


@pytest.mark.parametrize("runner", RUNNERS)
def test_case_on_exit_name_picks_the_right_arm(runner: str, tmp_path: Path) -> None:
    code = render(RUNNERS[runner][1], [PROXXX], generator_version=VERSION)
    if is_fish(runner):
        script = (
            "for rc in 5 4 7 99\n"
            "    switch (proxxx_exit_name $rc; or echo unknown)\n"
            "        case not-found; echo teardown-ok\n"
            "        case auth; echo login\n"
            "        case '*'; echo other\n"
            "    end\n"
            "end"
        )
    else:
        script = (
            "for rc in 5 4 7 99; do\n"
            '  case "$(proxxx_exit_name "$rc" || echo unknown)" in\n'
            "    not-found) echo teardown-ok ;;\n"
            "    auth) echo login ;;\n"
            "    *) echo other ;;\n"
            "  esac\n"
            "done"
        )
    result = run(runner, tmp_path, code, script)
    assert (result.stdout, result.stderr) == (lines("teardown-ok", "login", "other", "other"), b"")


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("export", [False, True], ids=["plain", "export"])
def test_constants_are_set_and_reach_a_child_process_only_when_exported(
    runner: str, export: bool, tmp_path: Path
) -> None:
    code = render(RUNNERS[runner][1], [PROXXX], export=export, generator_version=VERSION)
    child = "env"  # an external program: it sees only exported variables
    if is_fish(runner):
        script = (
            "echo $PROXXX_EXIT_NOT_FOUND $PROXXX_EXIT_AUTH\n"
            f"{child} | grep '^PROXXX_EXIT_' | sort; or true"
        )
    else:
        script = (
            'echo "$PROXXX_EXIT_NOT_FOUND" "$PROXXX_EXIT_AUTH"\n'
            f"{child} | grep '^PROXXX_EXIT_' | sort || true"
        )
    result = run(runner, tmp_path, code, script)
    assert result.stderr == b""
    out = result.stdout.decode().splitlines()
    assert out[0] == "5 4"
    exported = out[1:]
    if export:
        assert exported == sorted(
            [
                "PROXXX_EXIT_SUCCESS=0",
                "PROXXX_EXIT_FAILURE=1",
                "PROXXX_EXIT_AUTH=4",
                "PROXXX_EXIT_NOT_FOUND=5",
                "PROXXX_EXIT_CLUSTER_TRANSIENT=7",
            ]
        )
    else:
        assert exported == []


# What a user's shell may hold before sourcing: aliases and functions named like the commands the
# generated code calls. Aliases are expanded when the code is parsed, functions when it runs.
TRAPS = {
    "bash": "shopt -s expand_aliases\n"
    "printf() { \\builtin echo BROKEN-printf-function; }\n"
    "echo() { \\builtin echo BROKEN-echo-function; }\n"
    "return() { \\builtin echo BROKEN-return-function; }\n"
    "alias printf='\\builtin echo BROKEN' echo='\\builtin echo BROKEN' "
    "return='\\builtin echo BROKEN' builtin='\\builtin echo BROKEN' "
    "command='\\builtin echo BROKEN'",
    "zsh": "printf() { \\builtin echo BROKEN-printf-function; }\n"
    "echo() { \\builtin echo BROKEN-echo-function; }\n"
    "return() { \\builtin echo BROKEN-return-function; }\n"
    "alias printf='\\builtin echo BROKEN' echo='\\builtin echo BROKEN' "
    "return='\\builtin echo BROKEN' builtin='\\builtin echo BROKEN' "
    "emulate='\\builtin echo BROKEN' typeset='\\builtin echo BROKEN'",
    **dict.fromkeys(["dash", "ash", "ksh", "mksh", "yash"],
                    "printf() { :; }\necho() { :; }\nalias printf=: echo=: return=: command=:"),
    "posh": "printf() { :; }\necho() { :; }",  # posh has no aliases
    # fish refuses functions named return, test, set, switch or builtin.
    "fish": "function printf; builtin echo BROKEN; end\nfunction echo; builtin echo BROKEN; end",
}


@pytest.mark.parametrize("runner", RUNNERS)
def test_the_users_aliases_and_functions_cannot_break_it(runner: str, tmp_path: Path) -> None:
    code = render(RUNNERS[runner][1], [PROXXX, RAID], generator_version=VERSION)
    commands = [
        "proxxx_exit_name 5",
        "proxxx_exit_name 99",
        "proxxx_exit_describe 7",
        "proxxx_exit_is transient 7",
        "proxxx_exit_is auth 7",
        "raid_error_exit 'a?c'",
        "raid_error_exit abc",
    ]
    script = "\n".join(probe(runner, c) for c in commands)
    result = run(runner, tmp_path, code, script, before=TRAPS[runner])
    assert result.stderr == b""
    assert result.stdout == lines(
        "not-found",
        "rc=0",
        "rc=1",
        "7 cluster-transient: Cluster busy (recovery: Retry)",
        "rc=0",
        "rc=0",
        "rc=1",
        "9",
        "rc=0",
        "rc=1",
    )


#: Where a shell lets a script define them: an `export` alias, and a function named export.
EXPORT_TRAPS = {
    "bash": "shopt -s expand_aliases\nexport() { :; }\nalias export=: builtin=: command=:",
    "zsh": "export() { :; }\nalias export=: builtin=: typeset=:",
    # dash, ash and ksh93 refuse a function named export; posh has no aliases
    **dict.fromkeys(["dash", "ash", "ksh"], "alias export=: command=:"),
    **dict.fromkeys(["mksh", "yash"], "export() { :; }\nalias export=: command=:"),
    "posh": "export() { :; }",
    "fish": "",  # fish refuses a function named set
}


@pytest.mark.parametrize("runner", RUNNERS)
def test_export_is_proof_against_aliases_and_functions(runner: str, tmp_path: Path) -> None:
    code = render(RUNNERS[runner][1], [PROXXX], export=True, generator_version=VERSION)
    child = "sh -c 'echo \"child sees $PROXXX_EXIT_NOT_FOUND\"'"
    result = run(runner, tmp_path, code, child, before=EXPORT_TRAPS[runner])
    assert (result.stdout, result.stderr) == (b"child sees 5\n", b"")


def test_bash_nocasematch_does_not_make_names_case_blind(tmp_path: Path) -> None:
    code = render("bash", [PROXXX, RAID], generator_version=VERSION)
    commands = ["proxxx_exit_is NOT-FOUND 5", "proxxx_exit_is not-found 5",
                "raid_error_exit repo_not_cloned", "raid_error_exit REPO_NOT_CLONED"]
    script = "\n".join(probe("bash", c) for c in commands) + "\nshopt -p nocasematch"
    result = run("bash", tmp_path, code, script, before="shopt -s nocasematch")
    assert (result.stdout, result.stderr) == (
        lines("rc=1", "rc=0", "rc=1", "5", "rc=0", "shopt -s nocasematch"), b"")


def test_an_interactive_bash_without_comments_loads_it_and_runs_nothing_else(
    tools: Tools, tmp_path: Path,
) -> None:
    """Without interactive_comments every `# …` line is a command, and the header's
    `eval "$(exitkit shell bash proxxx)"` would run exitkit."""
    canary = tmp_path / "canary"
    tools("exitkit", f"touch {canary}")
    code = render("bash", [PROXXX, RAID], generator_version=VERSION)
    (tmp_path / "code.bash").write_text(code)
    script = (f"shopt -u interactive_comments; eval \"$(cat {tmp_path}/code.bash)\"; "
              f". {tmp_path}/code.bash; proxxx_exit_name 5; shopt -p interactive_comments")
    result = subprocess.run([*program("bash"), "--norc", "--noprofile", "-i", "-c", script],
                            capture_output=True, text=True, timeout=60)
    assert result.stdout == "not-found\nshopt -u interactive_comments\n"
    assert "command not found" not in result.stderr and "syntax error" not in result.stderr
    assert not canary.exists()


def test_zsh_user_options_do_not_change_the_answers(tmp_path: Path) -> None:
    code = render("zsh", [PROXXX, RAID], generator_version=VERSION)
    before = (
        "setopt KSH_ARRAYS SH_WORD_SPLIT RC_QUOTES NO_UNSET WARN_CREATE_GLOBAL EXTENDED_GLOB "
        "GLOB_SUBST NO_MULTI_FUNC_DEF\n"
        'load() { . "$EXITKIT_CODE"; }\nload'  # plugin managers source inside a function
    )
    commands = ["proxxx_exit_describe 5", "proxxx_exit_is transient 7", "raid_error_exit '[ab]'"]
    script = "\n".join(probe("zsh", c) for c in commands) + '\necho "$PROXXX_EXIT_NOT_FOUND"'
    result = run("zsh", tmp_path, code, script, before=before)
    assert result.stderr == b""
    assert result.stdout == lines(
        "5 not-found: Resource not found (recovery: Already gone: idempotent OK on teardown)",
        "rc=0",
        "rc=0",
        "9",
        "rc=0",
        "5",
    )


@pytest.mark.parametrize("runner", RUNNERS)
def test_several_contracts_sit_side_by_side(runner: str, tmp_path: Path) -> None:
    code = render(RUNNERS[runner][1], [PROXXX, RAID], generator_version=VERSION)
    assert code.count("# Generated by exitkit") == 2
    script = "\n".join(
        [
            probe(runner, "proxxx_exit_name 5"),
            probe(runner, "raid_exit_name 9"),
            "echo $PROXXX_EXIT_NOT_FOUND $RAID_EXIT_NETWORK",
        ]
    )
    result = run(runner, tmp_path, code, script)
    assert (result.stdout, result.stderr) == (
        lines("not-found", "rc=0", "network", "rc=0", "5 9"),
        b"",
    )


@pytest.mark.parametrize("runner", RUNNERS)
def test_prefix_replaces_the_contracts_constant_prefix(runner: str, tmp_path: Path) -> None:
    code = render(RUNNERS[runner][1], [PROXXX], prefix="PX", generator_version=VERSION)
    assert "PROXXX_EXIT_" not in code
    result = run(runner, tmp_path, code, "echo $PX_NOT_FOUND $PX_CLUSTER_TRANSIENT")
    assert (result.stdout, result.stderr) == (lines("5 7"), b"")


# --- static properties ----------------------------------------------------------------------


@pytest.mark.parametrize("dialect", ["bash", "sh"])
def test_shellcheck_finds_nothing(dialect: str, tmp_path: Path) -> None:
    shellcheck = program("shellcheck")
    builtins = [load_builtin(name) for name in builtin_names()]
    variants = {
        "builtins": render(dialect, builtins),
        "builtins-export": render(dialect, builtins, export=True),
        "fixtures": render(dialect, [PROXXX, RAID], generator_version=VERSION),
        "prefix": render(dialect, [RAID], prefix="R", export=True, generator_version=VERSION),
    }
    for name, code in variants.items():
        path = tmp_path / f"{name}.{dialect}"
        path.write_text(code, encoding="utf-8")
    files = sorted(str(p) for p in tmp_path.iterdir())
    result = subprocess.run(
        [*shellcheck, "-s", dialect, *files], capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


@pytest.mark.parametrize("shell", SHELLS)
def test_output_is_signed_and_deterministic(shell: str) -> None:
    first = render(shell, [PROXXX, RAID])
    assert first == render(shell, [PROXXX, RAID])
    # the first comment (bash: after the line that makes sure comments are comments)
    assert next(line for line in first.splitlines() if line.startswith("#")) == (
        f"# Generated by exitkit {__version__} from proxxx 1.0.0; do not edit."
    )
    assert first.endswith("\n") and not first.endswith("\n\n")


def code_lines(text: str) -> str:
    """The code without its comments (comments may quote commands such as `eval "$(…)"`)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


@pytest.mark.parametrize("shell", ["bash", "zsh", "sh"])
def test_posix_family_code_needs_nothing_newer_than_bash_3_2(shell: str) -> None:
    code = code_lines(render(shell, [PROXXX, RAID], export=True, generator_version=VERSION))
    for construct in ["declare", "mapfile", "readarray", "local -n", "[[", ",,", "^^", ";&", ";;&"]:
        assert construct not in code
    # No subshell, command substitution, pipeline to a command, or loop in the lookups.
    for construct in ["$(", "`", "while ", "for ", "until ", "readonly", "eval"]:
        assert construct not in code


def test_fish_code_needs_nothing_newer_than_fish_3_1_and_never_sets_universals() -> None:
    code = code_lines(render("fish", [PROXXX, RAID], export=True, generator_version=VERSION))
    for construct in ["$(", "set -U", "set -Ux", "--universal", "while ", "for ", "eval"]:
        assert construct not in code
    assert "set -gx PROXXX_EXIT_NOT_FOUND 5" in code


def test_constants_have_the_spec_form() -> None:
    def has(line: str, code: str) -> bool:
        return re.search(rf"^\s*{re.escape(line)}$", code, re.MULTILINE) is not None

    assert has("PROXXX_EXIT_NOT_FOUND=5", render("sh", [PROXXX]))
    assert has("\\builtin export PROXXX_EXIT_NOT_FOUND=5", render("bash", [PROXXX], export=True))
    assert has("\\command export PROXXX_EXIT_NOT_FOUND=5", render("sh", [PROXXX], export=True))
    assert has("\\builtin typeset -g PROXXX_EXIT_NOT_FOUND=5", render("zsh", [PROXXX]))
    assert has("set -g PROXXX_EXIT_NOT_FOUND 5", render("fish", [PROXXX]))
    assert has("set -gx PROXXX_EXIT_NOT_FOUND 5", render("fish", [PROXXX], export=True))


def test_registry_lists_the_shells_in_order_with_their_file_extensions() -> None:
    assert list(SHELLS) == ["bash", "zsh", "fish", "sh"]
    assert EXTENSIONS == {"bash": ".bash", "zsh": ".zsh", "fish": ".fish", "sh": ".sh"}
    assert all(SHELLS[name].name == name for name in SHELLS)
    # Every registered shell is executed by at least one runner above.
    assert {dialect for _, dialect, _ in RUNNERS.values()} == set(SHELLS)


def test_a_missing_shell_skips_unless_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(PROGRAMS, "nosh", ("exitkit-no-such-shell",))
    monkeypatch.setattr(shells_util, "_REQUIRED", frozenset({"bash", "zsh"}))
    with pytest.raises(pytest.skip.Exception, match="exitkit-no-such-shell is not installed"):
        program("nosh")
    monkeypatch.setattr(shells_util, "_REQUIRED", frozenset({"bash", "nosh"}))
    with pytest.raises(pytest.fail.Exception, match="requires it"):
        program("nosh")


# --- refusals -------------------------------------------------------------------------------


def tiny(**changes: object) -> Contract:
    fields: dict[str, object] = {
        "name": "tool",
        "version": "1.0.0",
        "summary": "s",
        "exits": [ExitCode(0, "success", "success", "OK")],
    }
    fields.update(changes)
    return Contract(**fields)  # type: ignore[arg-type]


#: Contracts that no shell may render, and what the refusal says.
UNSAFE = {
    "prefix starts with a digit": (tiny(prefix="1TOOL"), "not a shell identifier: '1TOOL'"),
    "prefix with a hyphen": (tiny(prefix="TOOL-EXIT"), "not a shell identifier: 'TOOL-EXIT'"),
    "prefix with a space": (tiny(prefix="TOOL EXIT"), "not a shell identifier: 'TOOL EXIT'"),
    "prefix with code": (tiny(prefix="X;touch /tmp/p"),
                         "not a shell identifier: 'X;touch /tmp/p'"),
    "prefix not ASCII": (tiny(prefix="ÜBER"), "not a shell identifier: 'ÜBER'"),
    "name not kebab": (tiny(name="Tool"), "contract name 'Tool' is not a kebab-case name"),
    "name with a space": (tiny(name="to ol"), "contract name 'to ol' is not a kebab-case name"),
    "name with code": (tiny(name="tool$(x)"),
                       "contract name 'tool$(x)' is not a kebab-case name"),
    "version with a newline": (tiny(version="1.0.0\nrm -rf ~"),
                               "contract version '1.0.0\\nrm -rf ~' is not a plain version"),
    "exit name not kebab": (tiny(exits=[ExitCode(0, "Success", "success", "OK")]),
                            "exit name 'Success' is not a kebab-case name"),
    "kind with code": (tiny(exits=[ExitCode(0, "success", "success; x", "OK")]),
                       "kind 'success; x' is not a kebab-case name"),
    "code above 255": (tiny(exits=[ExitCode(256, "success", "success", "OK")]),
                       "tool: exit code 256 is not a unique 0..255 number"),
    "negative code": (tiny(exits=[ExitCode(-1, "success", "success", "OK")]),
                      "tool: exit code -1 is not a unique 0..255 number"),
    "NUL in meaning": (tiny(exits=[ExitCode(0, "success", "success", "O\0K")]),
                       "a shell string cannot hold a NUL character: 'O\\x00K'"),
    "NUL in an error code": (tiny(errors=[ErrorCode("E\0", "success", "m")]),
                             "a shell string cannot hold a NUL character: 'E\\x00'"),
    "error code for an unknown exit": (tiny(errors=[ErrorCode("E", "no-such-exit", "m")]),
                                       "tool: error code 'E' maps to unknown exit 'no-such-exit'"),
    "error code twice": (
        tiny(errors=[ErrorCode("E", "success", "m"), ErrorCode("E", "success", "n")]),
        "tool: error code 'E' appears twice",
    ),
}


@pytest.mark.parametrize(("contract", "reason"), UNSAFE.values(), ids=UNSAFE.keys())
@pytest.mark.parametrize("shell", SHELLS)
def test_unsafe_contracts_are_refused(shell: str, contract: Contract, reason: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(reason)}"):
        render(shell, [contract])


def test_a_prefix_needs_exactly_one_contract_and_the_shell_must_be_known() -> None:
    with pytest.raises(ValueError, match="one contract"):
        render("bash", [PROXXX, RAID], prefix="X")
    with pytest.raises(ValueError, match="bash, zsh, fish, sh"):
        render("powershell", [PROXXX])
    with pytest.raises(ValueError, match=r"^not a shell identifier: 'BAD PREFIX'$"):
        render("bash", [PROXXX], prefix="BAD PREFIX")


# --- property: contract text is data, never code --------------------------------------------

# Payloads aimed at a canary file; `{canary}` is replaced by its path in each example.
PAYLOADS = [
    "$(touch {canary})",
    "`touch {canary}`",
    "'; touch {canary}; '",
    "'\\''; touch {canary}; #",
    '"; touch {canary}; "',
    "\\'; touch {canary}; '",
    "\ntouch {canary}\n",
    "(touch {canary})",
    "' ;; *) touch {canary} ;; esac #",
    "esac; touch {canary}; case x in x",
    "'\nend; touch {canary}; function x\n'",
    "%s%n%b%%\\n\\0",
    "${HOME}$HOME$argv[1]~",
    "*?[a]{b,c}",
    "\\\\\\",
    "''",
    "\x01\x7f\x1b[31m\r",
    "\u0101\u0102\u0108\u0088",  # UTF-8 continuation bytes 0x81-0x88: dash's internal markers
    "\uf600\ufdd0\ufffe🚀",  # fish's reserved code points
    "\u2018typographic\u2019 \u201cquotes\u201d",  # shellcheck's SC1110-SC1112
]
TEXT_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
TEXT = st.lists(
    st.one_of(st.text(TEXT_CHARS, max_size=12), st.sampled_from(PAYLOADS)), max_size=4
).map("".join)
NAMES = ["success", "failure", "not-found", "auth", "a", "x-1", "retry-later", "e2e"]


@st.composite
def contracts(draw: st.DrawFn) -> Contract:
    codes = draw(st.lists(st.integers(0, 255), min_size=1, max_size=4, unique=True))
    names = draw(st.permutations(NAMES))[: len(codes)]
    exits = [
        ExitCode(
            code,
            name,
            draw(st.sampled_from(KINDS)),
            draw(TEXT),
            recovery=draw(st.one_of(st.none(), st.just(""), TEXT)),
        )
        for code, name in zip(codes, names, strict=True)
    ]
    error_codes = draw(st.lists(TEXT, max_size=4, unique=True))
    errors = [ErrorCode(code, draw(st.sampled_from(names)), "m") for code in error_codes]
    return Contract("evil-tool", "1.0.0", "s", exits, errors)


def fill(contract: Contract, canary: str) -> Contract:
    """*contract* with each payload's ``{canary}`` pointing at *canary*."""

    def f(text: str | None) -> str | None:
        return None if text is None else text.replace("{canary}", canary)

    return Contract(
        contract.name,
        contract.version,
        contract.summary,
        [
            ExitCode(e.code, e.name, e.kind, f(e.meaning) or "", recovery=f(e.recovery))
            for e in contract.exits
        ],
        [ErrorCode(f(e.code) or "", e.exit, e.meaning) for e in contract.errors],
    )


def probes(contract: Contract) -> list[str]:
    """Strings to look up as error codes: the codes themselves and near misses."""
    found: list[str] = [""]
    for error in contract.errors:
        code = error.code
        found += [code, code + "x", "x" + code, re.sub(r"[*?\[\]\\]", "Z", code), code.upper()]
    return found


def expected_output(contract: Contract, queries: list[str]) -> bytes:
    out = []
    for exit in contract.exits:
        line = f"{exit.code} {exit.name}: {exit.meaning}"
        if exit.recovery:
            line += f" (recovery: {exit.recovery})"
        out += [line, "rc=0"]
    # a code the contract lacks
    out += [f"{unknown_code(contract)}: no meaning in the {contract.name} contract", "rc=0"]
    numbers = {e.code: contract.lookup(e.exit).code for e in contract.errors}  # type: ignore[union-attr]
    for query in queries:
        out += ["rc=1"] if query not in numbers else [str(numbers[query]), "rc=0"]
    return lines(*out)


def unknown_code(contract: Contract) -> int:
    return next(code for code in range(256) if contract.lookup(code) is None)


def check_text(runner: str, contract: Contract, before: str = "") -> None:
    """Every text of *contract* comes out byte for byte in *runner*, and none of it runs."""
    program(RUNNERS[runner][0])
    with tempfile.TemporaryDirectory() as tmp:
        canary = Path(tmp) / "canary"
        contract = fill(contract, str(canary))
        code = render(RUNNERS[runner][1], [contract], generator_version=VERSION)
        known = " ".join(str(e.code) for e in contract.exits) + f" {unknown_code(contract)}"
        describe = probe(runner, "evil_tool_exit_describe $c")
        if is_fish(runner):
            error_exit = probe(runner, "evil_tool_error_exit $q")
            script = f"for c in {known}\n{describe}\nend\nfor q in $argv\n{error_exit}\nend"
        else:
            error_exit = probe(runner, 'evil_tool_error_exit "$q"')
            # ${1+"$@"}: posh's set -u refuses an empty "$@"
            script = (f'for c in {known}; do {describe}; done\n'
                      f'for q in ${{1+"$@"}}; do {error_exit}; done')
        if not contract.errors:  # no [[error]] entries, no _error_exit function
            queries: list[str] = []
        else:
            queries = probes(contract)
        result = run(runner, Path(tmp), code, script, *queries, before=before)
        assert result.stderr == b""
        assert result.stdout == expected_output(contract, queries)
        assert not canary.exists()


@pytest.mark.parametrize("runner", RUNNERS)
@settings(max_examples=40, deadline=None)
@given(contract=contracts())
def test_contract_text_comes_out_byte_for_byte_and_runs_nothing(
    runner: str, contract: Contract
) -> None:
    check_text(runner, contract)


@pytest.mark.parametrize("options", ["setopt CSH_JUNKIE_QUOTES", "emulate csh",
                                     "setopt RC_QUOTES IGNORE_BRACES SH_WORD_SPLIT"])
@settings(max_examples=25, deadline=None)
@given(contract=contracts())
def test_zsh_code_parses_under_any_option(options: str, contract: Contract) -> None:
    """zsh parses the code with the user's options, before any function can run `emulate`:
    CSH_JUNKIE_QUOTES (emulate csh) refuses a newline inside single quotes."""
    check_text("zsh", contract, before=options)


@pytest.mark.parametrize("dialect", ["bash", "sh"])
@settings(max_examples=25, deadline=None)
@given(contract=contracts())
def test_shellcheck_stays_clean_for_any_contract_text(dialect: str, contract: Contract) -> None:
    shellcheck = program("shellcheck")
    code = render(dialect, [fill(contract, "/tmp/canary")], generator_version=VERSION)
    result = subprocess.run(
        [*shellcheck, "-s", dialect, "-"], input=code.encode(), capture_output=True, check=False
    )
    assert (result.returncode, result.stdout.decode(), result.stderr.decode()) == (0, "", "")

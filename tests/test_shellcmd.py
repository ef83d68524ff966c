"""`exitkit shell` argument handling and shell detection."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import EXITKIT, Tools, run_exitkit
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


@pytest.mark.parametrize("inner", ["dash", "ash", "ksh", "mksh", "yash", "posh"])
@pytest.mark.parametrize("outer", ["bash", "fish"])
def test_detects_a_posix_shell_shellingham_does_not_know(inner: str, outer: str) -> None:
    """shellingham walks past mksh, yash, posh, ksh93 and busybox's ash to the shell above
    them; the code must be the one that runs where it is evaluated."""
    code = detected(program(outer), program(inner))
    assert code.rstrip("\n") == run_exitkit("shell", "sh", "proxxx").stdout.rstrip("\n")


@pytest.mark.parametrize("shell", ["bash", "zsh", "dash", "ash", "ksh", "mksh", "yash", "posh"])
def test_the_documented_eval_works_in_every_shell_without_naming_it(shell: str) -> None:
    script = 'eval "$(exitkit shell proxxx)" && proxxx_exit_name 5'
    out = subprocess.run([*program("fish"), "--no-config", "-c",
                          " ".join([*program(shell), "-c", f"'{script}'"])],
                         capture_output=True, text=True, timeout=30)
    assert (out.returncode, out.stdout, out.stderr) == (0, "not-found\n", "")


def fake_proc(root: Path, chain: list[str]) -> None:
    """A /proc where exitkit's parent runs chain[0], its parent chain[1], and so on."""
    pid = os.getppid()
    for number, name in enumerate(chain):
        entry = root / str(pid)
        entry.mkdir(parents=True)
        parent = 90000 + number if number + 1 < len(chain) else 1
        entry.joinpath("stat").write_text(f"{pid} ({name[:15]}) S {parent} 1 1 0\n")
        entry.joinpath("cmdline").write_bytes(name.encode() + b"\0-c\0script\0")
        pid = parent


@pytest.mark.parametrize(("chain", "shell"), [
    (["mksh"], "sh"),
    (["-bash"], "bash"),  # a login shell
    (["/usr/bin/yash"], "sh"),
    (["busybox", "bash"], "sh"),  # `busybox ash -c …` run from bash
    (["sudo", "posh", "zsh"], "sh"),  # past a sudo to the nearest shell
    (["make", "node", "fish"], "fish"),
    (["/bin/bash", "zsh"], "bash"),  # a #!/bin/bash script's interpreter, not the script
])
def test_the_nearest_shell_above_exitkit_is_the_one(chain: list[str], shell: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import shellingham

    from exitkit.shells import command

    fake_proc(tmp_path, chain)
    monkeypatch.setattr(command, "PROC", str(tmp_path))
    monkeypatch.setattr(shellingham, "detect_shell", lambda: ("bash", "/bin/bash"))  # unheard
    assert detect_shell() == shell


def test_shellingham_answers_when_no_ancestor_is_a_shell(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import shellingham

    from exitkit.shells import command

    fake_proc(tmp_path, ["node", "init"])
    monkeypatch.setattr(command, "PROC", str(tmp_path))
    monkeypatch.setattr(shellingham, "detect_shell", lambda: ("zsh", "/bin/zsh"))
    assert detect_shell() == "zsh"


def test_first_word_is_a_shell_only_when_it_names_one() -> None:
    assert generate(["sh", "proxxx"]).count("PROXXX_EXIT_NOT_FOUND=5") == 1
    assert "EXIT_TIMEOUT=124" in generate(["sh"])  # no contract: the shell conventions
    both = generate(["sh", "proxxx", "raid"])
    assert "proxxx_exit_name()" in both and "raid_error_exit()" in both


def test_a_missing_contract_prints_only_a_failing_command_and_fails() -> None:
    result = run_exitkit("shell", "bash", "proxxx", "nosuch")
    assert result.returncode == 3
    assert result.stdout == "\\builtin false\n"  # nothing of proxxx's: all or nothing
    assert "no contract named 'nosuch'" in result.stderr


def test_prefix_with_several_contracts_is_a_usage_error() -> None:
    result = run_exitkit("shell", "bash", "proxxx", "raid", "--prefix", "X")
    assert result.returncode == 2
    assert result.stdout == "\\builtin false\n"


#: How each shell loads `exitkit shell …`, strict where it can be; then it prints "after".
LOADERS = {
    "bash": ([*("bash", "--noprofile", "--norc", "-euo", "pipefail")],
             'eval "$(exitkit shell bash {words})"; echo after'),
    "zsh": (["zsh", "-f", "-euo", "pipefail"], 'eval "$(exitkit shell zsh {words})"; echo after'),
    "dash": (["dash", "-eu"], 'eval "$(exitkit shell sh {words})"; echo after'),
    "ash": (["busybox", "sh", "-eu"], 'eval "$(exitkit shell sh {words})"; echo after'),
    "fish": (["fish", "--no-config"],
             "exitkit shell fish {words} | source; echo status=$status"),
}


@pytest.mark.parametrize("shell", LOADERS)
@pytest.mark.parametrize("words", ["nosuch", "proxxx nosuch", "proxxx --bogus",
                                   "proxxx raid --prefix X"])
def test_a_load_failure_fails_the_eval(shell: str, words: str) -> None:
    """A strict script stops at the eval; fish's `| source` returns non-zero."""
    argv, template = LOADERS[shell]
    program(shell)
    result = subprocess.run([*argv, "-c", template.format(words=words)], capture_output=True,
                            text=True, timeout=30)
    if shell == "fish":
        assert result.stdout == "status=1\n"
    else:
        assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith("exitkit: ")


@pytest.mark.parametrize("name", ["powershell", "pwsh", "tcsh", "nu", "xonsh"])
def test_an_unsupported_shell_is_named_as_such(name: str) -> None:
    result = run_exitkit("shell", name, "proxxx")
    assert result.returncode == 2
    assert result.stderr.startswith(f"exitkit: unsupported shell '{name}': exitkit generates "
                                    "code for bash, zsh, fish, sh")
    assert result.stdout == "false\n"


@pytest.mark.parametrize("name", ["dash", "ash", "busybox", "ksh", "ksh93", "mksh", "yash",
                                  "posh"])
def test_a_posix_shell_gets_the_sh_code(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert generate([name, "proxxx"]) == generate(["sh", "proxxx"])
    import shellingham

    from exitkit.shells import command

    monkeypatch.setattr(command, "PROC", "/nonexistent")  # no ancestor to walk, ps says nothing
    monkeypatch.setattr(command, "parent_name", lambda: "")
    monkeypatch.setattr(shellingham, "detect_shell", lambda: (name, f"/bin/{name}"))
    assert detect_shell() == "sh"


def test_contracts_that_would_define_the_same_name_are_refused(tmp_path: Path,
                                                                world: Path) -> None:
    (world / ".exitkit").mkdir()
    (world / ".exitkit" / "other.toml").write_text(
        'name = "other"\nversion = "1.0.0"\nsummary = "s"\nprefix = "PROXXX_EXIT"\n'
        '[[exit]]\ncode = 99\nname = "not-found"\nkind = "not-found"\nmeaning = "m"\n')
    result = run_exitkit("shell", "bash", "proxxx", "other")
    assert result.returncode == 2
    assert "contracts 'proxxx' and 'other' would both define PROXXX_EXIT_NOT_FOUND" \
        in result.stderr
    assert result.stdout == "\\builtin false\n"
    # the same contract twice is loaded once
    twice = run_exitkit("shell", "bash", "proxxx", "proxxx")
    assert twice.stdout == run_exitkit("shell", "bash", "proxxx").stdout


@pytest.fixture
def no_shellingham(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on macOS in a CI step, cron or `ssh host cmd`: no /proc to walk, and shellingham reads
    `ps`, which lists only processes with a terminal, and finds nothing."""
    import shellingham

    from exitkit.shells import command

    monkeypatch.setattr(command, "PROC", "/nonexistent")

    def fail() -> tuple[str, str]:
        raise shellingham.ShellDetectionFailure()

    monkeypatch.setattr(shellingham, "detect_shell", fail)


@pytest.mark.usefixtures("no_shellingham")
@pytest.mark.parametrize(("comm", "shell"), [("bash", "bash"), ("-bash", "bash"),
                                             ("/bin/zsh", "zsh"), ("-zsh", "zsh"),
                                             ("fish", "fish"), ("dash", "sh"), ("ksh93", "sh")])
def test_the_parent_process_names_the_shell(comm: str, shell: str, tools: Tools,
                                            monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    tools("ps", f'[ "$*" = "-o comm= -p {os.getppid()}" ] && echo "{comm}"')
    monkeypatch.setenv("SHELL", "/bin/tcsh")  # the login shell must not matter
    assert detect_shell() == shell
    assert capsys.readouterr().err == ""


@pytest.mark.usefixtures("no_shellingham")
def test_falls_back_to_dollar_shell_and_says_so(tools: Tools, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    tools("ps", "exit 1")  # a ps that cannot tell either
    monkeypatch.setenv("SHELL", "/usr/local/bin/zsh")
    assert detect_shell() == "zsh"
    assert capsys.readouterr().err == ("exitkit: cannot tell which shell runs this; assuming zsh "
                                       "from $SHELL (name it: exitkit shell zsh …)\n")
    monkeypatch.setenv("SHELL", "/bin/dash")
    assert detect_shell() == "sh"
    monkeypatch.setenv("SHELL", "/bin/tcsh")
    with pytest.raises(ExitkitError, match=r"cannot tell which shell") as info:
        detect_shell()
    assert info.value.exit == "usage"
    assert "bash,zsh,fish,sh" in (info.value.hint or "")


def test_parent_name_with_the_real_ps(monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from exitkit.shells import command
    from exitkit.shells.command import parent_name

    if shutil.which("ps") is None:
        pytest.skip("no ps here")
    monkeypatch.setattr(command, "PROC", "/nonexistent")  # as on macOS: ps answers
    expected = Path(f"/proc/{os.getppid()}/comm").read_text().strip() if Path(
        "/proc").is_dir() else None
    name = parent_name()
    assert name and (expected is None or name == expected)


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_the_code_is_utf8_whatever_the_locale(encoding: str) -> None:
    """raid's text holds '…' and '—': a locale without them must neither fail nor change a
    byte (the eval would succeed with nothing defined, or the text would differ)."""
    def code(env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([EXITKIT, "shell", "sh", "raid"], capture_output=True, timeout=30,
                              env=env)

    utf8 = code(dict(os.environ, PYTHONIOENCODING="utf-8"))
    other = code(dict(os.environ, PYTHONIOENCODING=encoding))
    assert (other.returncode, other.stderr) == (0, b"")
    assert other.stdout == utf8.stdout and "…".encode() in other.stdout


def test_text_for_people_escapes_what_the_locale_cannot_show() -> None:
    done = subprocess.run([EXITKIT, "explain", "-c", "raid", "3"], capture_output=True,
                          text=True, timeout=30, env=dict(os.environ, PYTHONIOENCODING="ascii"))
    assert done.returncode == 0, done.stderr
    assert "Script error, \\u2026)" in done.stdout


def test_any_failure_to_generate_prints_the_failing_command(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from exitkit import _entry
    from exitkit.shells import command

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("a bug")

    monkeypatch.setattr(command, "generate", broken)
    assert _entry.main(["shell", "bash", "proxxx"]) == 70
    out, err = capsys.readouterr()
    assert out == "\\builtin false\n"
    assert "exitkit: internal error: RuntimeError: a bug" in err

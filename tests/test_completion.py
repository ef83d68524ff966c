"""Tab completion, executed in the real shells: bash (COMP_WORDS → COMPREPLY), zsh (compinit and a
real TAB on a pseudo-terminal), fish (complete -C)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from conftest import EXITKIT, ROOT, run_exitkit
from exitkit.cli.complete import INSTALLED
from shells_util import program

SCRIPTS = {shell: ROOT / path for shell, path in INSTALLED.items()}


@pytest.fixture
def env() -> dict[str, str]:
    return dict(os.environ)


def bash_complete(line: str, env: dict[str, str], cword: int | None = None) -> list[str]:
    """COMPREPLY for *line* with the cursor on word *cword* (default: the last), as
    bash-completion would call _exitkit."""
    words = line.split(" ")
    index = len(words) - 1 if cword is None else cword
    script = (
        f". {SCRIPTS['bash']}\n"
        f'COMP_WORDS=("$@"); COMP_CWORD={index}; COMP_LINE="$*"; COMP_POINT=${{#COMP_LINE}}\n'
        "_exitkit\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    out = subprocess.run([*program("bash"), "--noprofile", "--norc", "-c", script, "bash", *words],
                         capture_output=True, text=True, env=env, timeout=30)
    assert out.stderr == ""
    return [x for x in out.stdout.splitlines() if x]


def fish_complete(line: str, env: dict[str, str], cwd: Path | None = None) -> list[str]:
    script = f"source {SCRIPTS['fish']}; complete -C '{line}'"
    out = subprocess.run([*program("fish"), "--no-config", "-c", script], capture_output=True,
                         text=True, env=env, timeout=30, cwd=cwd)
    assert out.stderr == ""
    return [x.split("\t")[0] for x in out.stdout.splitlines() if x]


def zsh_complete(line: str, env: dict[str, str], tmp: Path, back: int = 0) -> str:
    """The command line after typing *line*, moving *back* characters left, and pressing TAB in
    an interactive zsh."""
    fdir = tmp / "zfunc"
    fdir.mkdir(exist_ok=True)
    (fdir / "_exitkit").write_text(SCRIPTS["zsh"].read_text())
    setup = (f"fpath=({fdir} $fpath); autoload -Uz compinit; compinit -u -D; "
             "bindkey -e; unsetopt beep; PS1='READY> '\n")
    return tab_complete([*program("zsh"), "-f", "-i"], setup, line, env, tmp, back)


def bash_tab(line: str, env: dict[str, str], tmp: Path, back: int = 0) -> str:
    """The same in an interactive bash, whose readline splits words at ``=`` as a user's does."""
    setup = (f". {SCRIPTS['bash']}; bind 'set bell-style none'; PS1='READY> '\n")
    return tab_complete([*program("bash"), "--norc", "--noprofile", "-i"], setup, line, env, tmp,
                        back)


def fish_tab(line: str, env: dict[str, str], tmp: Path, back: int = 0) -> str:
    """The same in an interactive fish (which completes with the cursor anywhere in the line)."""
    setup = (f"source {SCRIPTS['fish']}; function fish_prompt; echo -n 'READY> '; end; "
             "set -g fish_autosuggestion_enabled 0\n")
    return tab_complete([*program("fish"), "--no-config", "-i"], setup, line, env, tmp, back)


#: The lines docs/completion.md gives for config.fish (a test checks they are there).
DOCUMENTED = """if status is-interactive
    exitkit completion fish --bind-tab | source
end
"""
FISH_PROMPT = r"""function fish_prompt; echo -n 'READY> '; end
function fish_mode_prompt; end
set -g fish_autosuggestion_enabled 0
function show_line  # print the whole line, pipes and all, as one word
    commandline -r -- "echo "(string escape -- COMPLETED:(commandline -b))
    commandline -f execute
end
bind \cx show_line; bind -M insert \cx show_line
"""


def fish_bound_tab(line: str, env: dict[str, str], tmp: Path, back: int = 0, *,
                   config: str = DOCUMENTED,
                   then: Sequence[bytes] = ()) -> str:
    """The same in a fish started with *config* as its config.fish (by default the line the
    docs give for ``--bind-tab``); the arrow keys move, as in vi mode too."""
    (tmp / ".config" / "fish").mkdir(parents=True, exist_ok=True)
    (tmp / ".config" / "fish" / "config.fish").write_text(config + FISH_PROMPT)
    env = dict(env, XDG_CONFIG_HOME=str(tmp / ".config"))
    return tab_complete([*program("fish"), "-i"], "", line, env, tmp, back,
                        left=b"\x1b[D", show=b"\x18", then=then)


def tab_complete(argv: list[str], setup: str, line: str, env: dict[str, str], tmp: Path,
                 back: int, left: bytes = b"\x02",
                 show: bytes = b"\x01echo COMPLETED:\n", then: Sequence[bytes] = ()) -> str:
    """Type *setup*, then *line*, move *back* characters *left*, press TAB (and the keys
    *then*, a second apart), and return the line the shell then holds (the keys *show* print it
    after ``COMPLETED:``)."""
    pid, fd = pty.fork()
    if pid == 0:  # child: an interactive shell with nothing of the user's, in *tmp*
        os.chdir(tmp)
        os.execvpe(argv[0], argv, {**env, "TERM": "dumb", "HOME": str(tmp)})
    output = b""

    def read_until(marker: bytes, timeout: float = 20) -> None:
        nonlocal output
        deadline = time.monotonic() + timeout
        while marker not in output:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{argv[0]} never printed {marker!r}: {output[-600:]!r}")
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                try:  # without bracketed paste's on and off, which a configured fish sends
                    output += os.read(fd, 4096)
                    output = output.replace(b"\x1b[?2004h", b"").replace(b"\x1b[?2004l", b"")
                except OSError:
                    break

    try:
        os.write(fd, setup.encode())
        read_until(b"READY> ")
        output = b""
        os.write(fd, line.encode() + left * back + b"\t")
        time.sleep(1.5)  # let the completion widget (which runs exitkit) finish
        for keys in then:
            os.write(fd, keys)
            time.sleep(1)
        os.write(fd, show)  # by default Ctrl-A, then print the whole buffer
        read_until(b"\nCOMPLETED:")
        read_until(b"READY> ")
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(fd)
    text = output.decode("utf-8", "replace").replace("\r", "")
    done = [x for x in text.split("\n") if x.startswith("COMPLETED:")]
    return done[-1][len("COMPLETED:"):]


def test_completion_command_prints_the_committed_scripts() -> None:
    for shell, path in SCRIPTS.items():
        result = run_exitkit("completion", shell)
        assert result.returncode == 0
        assert result.stdout == path.read_text()
    assert SCRIPTS["zsh"].read_text().startswith("#compdef exitkit\n")
    assert run_exitkit("completion", "tcsh").returncode == 2


def test_bash_completes_commands_contracts_and_exit_names(env: dict[str, str]) -> None:
    assert "run" in bash_complete("exitkit r", env)
    assert bash_complete("exitkit show prox", env) == ["proxxx"]
    assert bash_complete("exitkit run -c proxxx --ok not", env) == ["not-found"]
    assert bash_complete("exitkit run -c rune --ok not", env) == ["not-found"]
    assert "sigkill" in bash_complete("exitkit run --ok sig", env)
    assert bash_complete("exitkit shell f", env) == ["fish"]
    assert bash_complete("exitkit run --ok auth,cluster", env) == []  # no contract: shell names
    completed = bash_complete("exitkit run -c proxxx --ok auth,cluster", env)
    assert completed == ["auth,cluster-transient"]


def test_bash_completes_exit_names_from_the_command_after_double_dash(env: dict[str, str]) -> None:
    # the cursor is on --ok's value; the contract comes from the command after it: proxxx
    line = "exitkit run --ok cluster-tr -- proxxx delete 100"
    assert bash_complete(line, env, cword=3) == ["cluster-transient"]
    assert bash_complete("exitkit run --ok cluster-tr", env) == []  # shell conventions only
    assert bash_complete("exitkit explain -c raid REPO_NOT_C", env) == ["REPO_NOT_CLONED"]


def test_bash_completes_files_and_commands_where_exitkit_says_so(
    env: dict[str, str], world: Path
) -> None:
    (world / "mytool.toml").write_text("")
    assert bash_complete("exitkit lint myt", env) == ["mytool.toml"]
    assert "true" in bash_complete("exitkit run --ok 1 -- tru", env)


def test_fish_completes_exit_names(env: dict[str, str]) -> None:
    assert {"show", "shell"} <= set(fish_complete("exitkit s", env))
    assert "list" in fish_complete("exitkit ", env)
    assert "not-found" in fish_complete("exitkit run -c proxxx --ok n", env)
    assert "proxxx" in fish_complete("exitkit show p", env)
    assert "markdown" in fish_complete("exitkit show proxxx --format m", env)


def test_zsh_completes_exit_names_with_compinit(env: dict[str, str], tmp_path: Path) -> None:
    line = zsh_complete("exitkit run -c proxxx --ok not-fo", env, tmp_path)
    assert line.startswith("exitkit run -c proxxx --ok not-found")
    line = zsh_complete("exitkit sho", env, tmp_path)
    assert line.startswith("exitkit show")
    tail = " -- proxxx delete"
    line = zsh_complete("exitkit run --ok cluster-tr" + tail, env, tmp_path, back=len(tail))
    assert line.startswith("exitkit run --ok cluster-transient")


def test_every_option_of_the_command_table_completes() -> None:
    """The engine reads the command table: every option is offered, every value kind is known,
    and after a value option the engine completes its value, not another option."""
    from exitkit.cli.complete import VALUE_KINDS, candidates
    from exitkit.cli.spec import COMMANDS

    for command in COMMANDS:
        offered = [value for value, _ in candidates([command.name, "-"])]
        assert offered == command.option_names
        for option in command.options:
            if not option.takes_value:
                continue
            assert option.value in VALUE_KINDS, (command.name, option.names)
            for name in option.names:
                values = [value for value, _ in candidates([command.name, name, ""])]
                assert not set(values) & set(command.option_names), (command.name, name)
                assert bool(values) == VALUE_KINDS[str(option.value)], (command.name, name)
        for argument in command.arguments:
            assert argument.value in VALUE_KINDS, (command.name, argument.dest)


@pytest.mark.parametrize("line", [
    ["run", "-c", "proxxx", "--ok", "not"],
    ["run", "-cproxxx", "--ok", "not"],
    ["run", "-c=proxxx", "--ok", "not"],
    ["run", "--contract=proxxx", "--ok", "not"],
    ["run", "--ok", "not", "--", "proxxx", "delete"],
    ["run", "--ok", "not", "--", "env", "A=1", "sudo", "-u", "x", "proxxx", "delete"],
    ["run", "--ok", "not", "proxxx", "delete"],
])
def test_ok_completes_from_the_contract_run_would_pick(line: list[str]) -> None:
    from exitkit.cli.complete import candidates

    cword = line.index("not")
    assert [v for v, _ in candidates(line, cword) if v.startswith("not")] == ["not-found"]


def test_completion_request_never_prints_a_traceback(env: dict[str, str]) -> None:
    result = run_exitkit("__complete", "bash", "4", "run", "-c", "no-such-contract", "--ok", "x")
    assert result.returncode == 0
    assert result.stderr == ""


# --- --option=VALUE, as each shell splits it ---------------------------------------------------


TabComplete = Callable[..., str]


#: fish hands a completion only the line up to the end of the word under the cursor (its
#: `commandline` is cut there), so the command after the cursor cannot choose the contract,
#: unless TAB is bound by ``exitkit completion fish --bind-tab`` (the "fish --bind-tab" cases).
FISH_CUTS_THE_LINE = pytest.mark.xfail(
    strict=True, reason="fish completes with the line cut after the word under the cursor")


@pytest.mark.parametrize("tab", [bash_tab, zsh_complete, fish_tab, fish_bound_tab],
                         ids=["bash", "zsh", "fish", "fish --bind-tab"])
@pytest.mark.parametrize(("typed", "after", "expected"), [
    ("exitkit run -c proxxx --ok=not", "", "exitkit run -c proxxx --ok=not-found"),
    ("exitkit run --contract=proxxx --retry-on=cluster-tr", "",
     "exitkit run --contract=proxxx --retry-on=cluster-transient"),
    ("exitkit run --ok=auth,not", " -- proxxx delete 1",
     "exitkit run --ok=auth,not-found -- proxxx delete 1"),
    ("exitkit run --ok cluster-tr", " -- proxxx delete 1",
     "exitkit run --ok cluster-transient -- proxxx delete 1"),
    ("exitkit show proxxx --format=mark", "", "exitkit show proxxx --format=markdown"),
    ("exitkit run --contract=terraform-p", "", "exitkit run --contract=terraform-plan"),
    ("exitkit run --report=rep", "", "exitkit run --report=report-out.json"),
])
def test_option_values_complete_in_every_form_and_place(
        tab: TabComplete, typed: str, after: str, expected: str, env: dict[str, str],
        tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if tab is fish_tab and after:
        request.applymarker(FISH_CUTS_THE_LINE)
    (tmp_path / "report-out.json").write_text("{}")
    line = tab(typed + after, env, tmp_path, back=len(after))
    assert " ".join(line.split()) == expected


AFTER = " -- proxxx delete 1"


def test_the_documented_config_lines_are_the_tested_ones() -> None:
    page = (ROOT / "docs" / "completion.md").read_text()
    assert DOCUMENTED.replace("if status is-interactive\n",
                              "if status is-interactive                       # in "
                              "~/.config/fish/config.fish\n") in page


@pytest.mark.parametrize("config", [
    DOCUMENTED,
    "fish_vi_key_bindings\nexitkit completion fish --bind-tab | source\n",
    "exitkit completion fish --bind-tab | source\nfish_vi_key_bindings\n",
], ids=["emacs", "vi after", "vi before"])
@pytest.mark.parametrize(("typed", "after"), [
    ("exitkit run --ok cluster-tr", AFTER),
    ("echo a b c | exitkit run --ok cluster-tr", AFTER + "; echo y"),
    ("exitkit run --ok clus", "ter-tr" + AFTER),  # the cursor inside the word
], ids=["alone", "in a pipeline", "mid-word"])
def test_fish_bind_tab_completes_with_the_words_after_the_cursor(
        config: str, typed: str, after: str, env: dict[str, str], tmp_path: Path) -> None:
    line = fish_bound_tab(typed + after, env, tmp_path, back=len(after), config=config)
    assert line == (typed + after).replace("cluster-tr", "cluster-transient")


@pytest.mark.parametrize(("mine", "then", "expected"), [
    ("bind \\t 'commandline -i MINE'", [], "exitkit run --ok cluster-trMINE" + AFTER),
    # complete, then vi's normal mode: `0iZ` goes to the start and inserts Z there
    ("fish_vi_key_bindings\nbind -M insert -m default \\t complete", [b"0iZ"],
     "Zexitkit run --ok cluster-tr" + AFTER),
], ids=["another command", "complete and a mode switch"])
def test_fish_bind_tab_leaves_a_tab_the_user_bound_alone(
        mine: str, then: list[bytes], expected: str, env: dict[str, str],
        tmp_path: Path) -> None:
    config = f"{mine}\nexitkit completion fish --bind-tab | source\n"
    assert fish_bound_tab("exitkit run --ok cluster-tr" + AFTER, env, tmp_path, back=len(AFTER),
                          config=config, then=then) == expected


def test_fish_bind_tab_s_line_serves_one_completion(env: dict[str, str],
                                                   tmp_path: Path) -> None:
    """After TAB, the same words retyped and completed by another key (as shift-TAB does) get
    fish's own cut line: what TAB kept is gone."""
    config = ("exitkit completion fish --bind-tab | source\n"
              "bind \\cy 'commandline -f complete'\n")
    line = "exitkit run --ok cluster-tr" + AFTER
    # Ctrl-E Ctrl-U: clear the line; type it again, move back, Ctrl-Y: complete
    again = b"\x05\x15" + line.encode() + b"\x1b[D" * len(AFTER) + b"\x19"
    assert fish_bound_tab(line, env, tmp_path, back=len(AFTER), config=config,
                          then=[again]) == line


def test_fish_bind_tab_keeps_no_line_for_the_pager_or_another_command(
        env: dict[str, str], tmp_path: Path) -> None:
    """TAB in the open pager only moves through it, so it keeps no line that a later completion
    (Ctrl-Y here, Shift-TAB for a user) could take for its own; nor does a TAB on a line that is
    not exitkit's (whose words may be anyone's)."""
    bound = ("exitkit completion fish --bind-tab | source\n"
             "bind \\cy 'commandline -f complete'\n")
    # TAB, TAB (the pager), Esc, then end the line with `true` and complete with Ctrl-Y
    keys = [b"\t", b"\x1b", b"\x05" + b"\x7f" * len("proxxx delete 1") + b"true"
            + b"\x1b[D" * len(" -- true") + b"\x19"]
    lines = [fish_bound_tab("exitkit run --ok c" + AFTER, env, tmp_path / name, back=len(AFTER),
                            config=config, then=keys)
             for name, config in [("plain", "exitkit completion fish | source\n"),
                                  ("bound", bound)]]
    assert lines[0].startswith("exitkit run --ok ") and lines[0].endswith(" -- true")
    assert lines[1] == lines[0] and "cluster" not in lines[1]
    kept = bound + "function kept; commandline -r -- \"echo KEPT:$__exitkit_tab_line\"; end\n"
    assert fish_bound_tab("echo secret /us", env, tmp_path / "kept", config=kept + (
        "bind \\cy kept\n"), then=[b"\x19"]) == "echo KEPT:"


@pytest.mark.parametrize(("kept_line", "kept_cursor"), [
    ("exitkit run --ok cluster-tr" + AFTER, 12),  # the cursor in an earlier word
    ("exitkit run --ok cluster-tr" + AFTER, 31),  # the cursor in a later word
    ("exitkit run --ok cluster-tX" + AFTER, 27),  # other words before it
], ids=["cursor before", "cursor after", "words"])
def test_fish_without_bind_tab_keeps_fish_s_own_tab(kept_line: str, kept_cursor: int,
                                                    env: dict[str, str], tmp_path: Path) -> None:
    """The plain script never touches key bindings, and a line kept by a TAB for another line is
    not used for this one."""
    config = ("exitkit completion fish | source\n"
              f"set -g __exitkit_tab_line '{kept_line}'\n"
              f"set -g __exitkit_tab_cursor {kept_cursor}\n"
              f"set -g __exitkit_tab_words {kept_line}\n")
    line = "exitkit run --ok cluster-tr" + AFTER
    assert len("exitkit run --ok cluster-tr") == 27
    assert fish_bound_tab(line, env, tmp_path, back=len(AFTER), config=config) == line
    assert "bind " not in run_exitkit("completion", "fish").stdout


def test_bind_tab_is_for_fish_only() -> None:
    for shell in ("bash", "zsh"):
        result = run_exitkit("completion", shell, "--bind-tab")
        assert (result.returncode, result.stdout) == (2, "")
        assert result.stderr.startswith("exitkit: --bind-tab is for fish\n")


def test_fish_option_equals_value(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "report-out.json").write_text("{}")
    assert fish_complete("exitkit run -c proxxx --ok=not", env) == ["--ok=not-found"]
    assert fish_complete("exitkit run -c proxxx --ok=auth,not", env) == ["--ok=auth,not-found"]
    assert fish_complete("exitkit show proxxx --format=mark", env) == ["--format=markdown"]
    assert fish_complete("exitkit run --report=rep", env, cwd=tmp_path) == [
        "--report=report-out.json"]


def test_the_engine_rejoins_what_bash_split_at_the_equals_sign() -> None:
    from exitkit.cli.complete import answer, rejoin

    assert rejoin(["run", "--ok", "=", "not"], 3) == (["run", "--ok=not"], 1, "--ok=")
    assert rejoin(["run", "--ok", "=", "--", "proxxx"], 2) == (
        ["run", "--ok=", "--", "proxxx"], 1, "--ok=")
    assert rejoin(["run", "-c", "=", "proxxx", "--ok", "n"], 5) == (
        ["run", "-c=proxxx", "--ok", "n"], 3, "")
    assert rejoin(["run", "--", "env", "=", "x"], 4) == (["run", "--", "env", "=", "x"], 4, "")
    assert answer("bash", ["run", "-c", "proxxx", "--ok", "=", "not"], 5) == "not-found\n"
    assert answer("bash", ["run", "--ok", "=", "--", "proxxx"], 2).splitlines()[:2] == [
        "success", "failure"]
    assert answer("zsh", ["run", "--ok=not", "--", "proxxx"], 1) == (
        "--ok=not-found:5: Resource not found\n")


# --- what a candidate may hold ---------------------------------------------------------------

EVIL = """name = "evil"
version = "1.0.0"

[[exit]]
code = 3
name = "bad"
kind = "failure"
meaning = "m"

[[error]]
code = "NOT FOUND;touch ran-by-tab"
exit = "bad"
meaning = "an error code with a blank, a semicolon and a command"
"""


def test_bash_inserts_a_hostile_candidate_as_one_quoted_word(env: dict[str, str],
                                                              tmp_path: Path) -> None:
    (tmp_path / "ekp").mkdir()
    (tmp_path / "ekp" / "evil.toml").write_text(EVIL)
    env = dict(env, EXITKIT_PATH=str(tmp_path / "ekp"))
    # the helper runs `echo COMPLETED: <the line>`: an unquoted candidate would run the touch
    line = bash_tab("exitkit explain -c evil N", env, tmp_path)
    assert " ".join(line.split()) == "exitkit explain -c evil NOT FOUND;touch ran-by-tab"
    assert not (tmp_path / "ran-by-tab").exists()
    assert bash_complete("exitkit explain -c evil N", env) == ["NOT\\ FOUND\\;touch\\ ran-by-tab"]


def test_bash_completes_a_path_with_a_blank_as_one_word(env: dict[str, str],
                                                       tmp_path: Path) -> None:
    (tmp_path / "my dir").mkdir()
    (tmp_path / "my dir" / "c.toml").write_text("")
    line = bash_tab("exitkit lint my", env, tmp_path)
    assert line.split("\n")[0].rstrip() == "exitkit lint my dir/"  # one word, then into it
    (tmp_path / "a b.toml").write_text("")
    assert " ".join(bash_tab("exitkit lint a", env, tmp_path).split()) == "exitkit lint a b.toml"


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_descriptions_never_send_control_characters_to_the_terminal(shell: str,
                                                                    tmp_path: Path) -> None:
    (tmp_path / "esc.toml").write_text(
        'name = "esc"\nversion = "1.0.0"\n[[exit]]\ncode = 3\nname = "gone"\nkind = "failure"\n'
        'meaning = "Gone\\u001b]0;TITLE\\u0007\\u001b[2J\\r\\u202eevil"\n')
    env = dict(os.environ, EXITKIT_PATH=str(tmp_path))
    done = subprocess.run([EXITKIT, "__complete", shell, "4", "run", "-c", "esc", "--ok",
                           "go"], capture_output=True, text=True, env=env, timeout=30)
    separator = ":" if shell == "zsh" else "\t"
    assert done.stdout == f"gone{separator}3: Gone\\e]0;TITLE\\x07\\e[2J\\r\\u202eevil\n"

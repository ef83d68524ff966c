"""contract_for(argv, explicit): the one decision of which contract reads a command's status."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Tools, run_exitkit
from exitkit.contracts.resolve import command_name, command_word, contract_for
from exitkit.errors import ExitkitError


@pytest.mark.parametrize(("argv", "name"), [
    (["proxxx", "delete", "1"], "proxxx"),
    (["/usr/local/bin/proxxx", "delete"], "proxxx"),
    (["PROXXX_RC=5", "LANG=C", "proxxx", "delete"], "proxxx"),
    (["env", "FOO=1", "proxxx"], "proxxx"),
    (["env", "-i", "-u", "HOME", "--chdir=/", "FOO=1", "proxxx"], "proxxx"),
    (["/usr/bin/env", "-C", "/tmp", "proxxx"], "proxxx"),
    (["command", "proxxx"], "proxxx"),
    (["exec", "-a", "name", "proxxx"], "proxxx"),
    (["nice", "-n", "5", "proxxx"], "proxxx"),
    (["nice", "-n5", "proxxx"], "proxxx"),
    (["nice", "-5", "proxxx"], "proxxx"),
    (["nice", "--adjustment=5", "proxxx"], "proxxx"),
    (["ionice", "-c", "3", "proxxx"], "proxxx"),
    (["nohup", "proxxx"], "proxxx"),
    (["stdbuf", "-oL", "-e", "0", "proxxx"], "proxxx"),
    (["sudo", "-u", "deploy", "-E", "proxxx"], "proxxx"),
    (["sudo", "--user=deploy", "--", "proxxx"], "proxxx"),
    (["sudo", "-Eu", "deploy", "proxxx"], "proxxx"),
    (["time", "-p", "proxxx"], "proxxx"),
    (["timeout", "30", "proxxx"], "proxxx"),
    (["timeout", "-s", "KILL", "-k", "5", "30s", "proxxx"], "proxxx"),
    (["timeout", "--signal=KILL", "30", "proxxx"], "proxxx"),
    (["sudo", "env", "A=1", "nice", "timeout", "5", "proxxx", "delete"], "proxxx"),
    # project runners, only with the word that makes them run a command
    (["poetry", "run", "pytest", "-x"], "pytest"),
    # the tool's own options before the word
    (["poetry", "-C", "app", "run", "pytest"], "pytest"),
    (["poetry", "--directory=app", "-v", "run", "pytest"], "pytest"),
    (["poetry", "-P", "app", "run", "--", "pytest"], "pytest"),
    (["uv", "-q", "--directory", "d", "run", "pytest"], "pytest"),
    (["poetry", "-C", "app", "install"], "poetry"),
    (["poetry", "-C", "run"], "poetry"),  # `run` is the option's value here
    (["uv", "--directory", "d", "pip", "install", "x"], "uv"),
    (["poetry", "-v"], "poetry"),
    (["uv", "run", "--with", "pytest-xdist", "-p", "3.12", "pytest"], "pytest"),
    (["uv", "run", "--python=3.12", "--", "mypy", "src"], "mypy"),
    (["pipenv", "run", "pytest"], "pytest"),
    (["pdm", "run", "-p", "sub", "ruff", "check"], "ruff"),
    (["bundle", "exec", "rake"], "rake"),
    (["poetry", "install"], "poetry"),
    (["uv", "pip", "install", "x"], "uv"),
    (["poetry"], "poetry"),
    (["env"], None),
    (["A=1", "B=2"], None),
    ([], None),
    (["sudo", "-u"], None),
])
def test_the_command_is_found_after_assignments_and_wrappers(argv: list[str],
                                                             name: str | None) -> None:
    assert command_name(argv) == name
    index = command_word(argv)
    assert (argv[index].rsplit("/", 1)[-1] if index is not None else None) == name


def test_explicit_wins_then_the_commands_name_then_nothing() -> None:
    assert contract_for(["proxxx"], "raid").name == "raid"  # type: ignore[union-attr]
    assert contract_for(["env", "X=1", "proxxx"]).name == "proxxx"  # type: ignore[union-attr]
    assert contract_for(["no-such-tool-xyz"]) is None
    assert contract_for([]) is None
    with pytest.raises(ExitkitError, match="no contract named 'nosuch'"):
        contract_for(["proxxx"], "nosuch")


def test_a_broken_contract_named_like_the_command_is_an_error_saying_so(world: Path) -> None:
    (world / ".exitkit").mkdir()
    (world / ".exitkit" / "mytool.toml").write_text('name = "mytool"\n')
    with pytest.raises(ExitkitError, match=r"^contract 'mytool', picked by the command's name: ") \
            as info:
        contract_for(["sudo", "mytool"])
    assert info.value.exit == "invalid-contract"


def test_explain_reads_a_code_with_the_contract_run_would_pick() -> None:
    result = run_exitkit("explain", "5", "--", "env", "A=1", "proxxx", "delete")
    assert result.returncode == 0
    assert result.stdout.splitlines()[0] == "proxxx 5 not-found (not-found): Resource not found"
    # -c wins over the command
    result = run_exitkit("explain", "-c", "rune", "5", "--", "proxxx", "delete")
    assert result.stdout.splitlines()[0].startswith("rune 5 conflict")
    # a command without a contract: the shell's reading only
    result = run_exitkit("explain", "5", "--", "no-such-tool-xyz")
    assert result.stdout == "5: no shell convention; the program's own meaning\n"


# --- [match]: contracts for command lines, not only for command names -------------------------


def contract_file(directory: Path, name: str, match: str, code: int = 3,
                  meaning: str = "m") -> Path:
    directory.mkdir(exist_ok=True)
    path = directory / f"{name}.toml"
    path.write_text(f'name = "{name}"\nversion = "1.0.0"\n{match}\n'
                    f'[[exit]]\ncode = {code}\nname = "{name}-code"\nkind = "failure"\n'
                    f'meaning = "{meaning}"\n')
    return path


@pytest.mark.parametrize(("argv", "expected"), [
    (["terraform", "plan", "-detailed-exitcode"], "terraform-plan"),
    (["terraform", "plan", "-out=p", "-detailed-exitcode"], "terraform-plan"),
    (["terraform", "-chdir=infra", "plan", "-detailed-exitcode"], "terraform-plan"),
    (["terraform", "plan", "-detailed-exitcode=true"], "terraform-plan"),
    # Go's flag package takes a long flag with one dash or two
    (["terraform", "plan", "--detailed-exitcode"], "terraform-plan"),
    (["terraform", "plan", "--detailed-exitcode=true"], "terraform-plan"),
    (["terraform", "plan", "---detailed-exitcode"], "terraform"),
    (["env", "TF_IN_AUTOMATION=1", "/usr/bin/terraform", "plan", "-detailed-exitcode"],
     "terraform-plan"),
    # anything else is read with terraform's general table (0 ok, 1 error)
    (["terraform", "plan"], "terraform"),  # without the flag, 2 is not "changes present"
    (["terraform", "apply", "-detailed-exitcode"], "terraform"),
    (["terraform", "apply"], "terraform"),
    (["terraform"], "terraform"),
    (["tofu", "plan", "-detailed-exitcode"], None),
])
def test_terraform_plan_is_picked_for_the_lines_it_covers_only(argv: list[str],
                                                               expected: str | None) -> None:
    found = contract_for(argv)
    assert (found.name if found else None) == expected


def test_the_most_specific_match_wins_then_the_first_on_the_search_path(world: Path) -> None:
    local = world / ".exitkit"
    contract_file(local, "kube", '[match]\ncommand = "kubectl"')
    contract_file(local, "kube-delete", '[match]\ncommand = "kubectl"\nargs = ["delete"]')
    contract_file(local, "kube-delete-wait",
                  '[match]\ncommand = "kubectl"\nargs = ["delete"]\nflags = ["--wait"]')
    contract_file(local, "kube-delete-pod", '[match]\ncommand = "kubectl"\n'
                  'args = ["delete", "pod"]')
    assert contract_for(["kubectl", "get", "pods"]).name == "kube"  # type: ignore[union-attr]
    assert contract_for(["kubectl", "delete", "svc", "x"]).name == "kube-delete"  # type: ignore[union-attr]
    assert contract_for(["kubectl", "delete", "svc", "--wait=false"]).name == (  # type: ignore[union-attr]
        "kube-delete-wait")
    # more subcommand words beat more flags
    assert contract_for(["kubectl", "delete", "pod", "x", "--wait"]).name == (  # type: ignore[union-attr]
        "kube-delete-pod")
    # -c always wins
    assert contract_for(["kubectl", "delete", "pod"], "proxxx").name == "proxxx"  # type: ignore[union-attr]


def test_a_contract_named_like_the_command_with_its_own_match_covers_only_that(
        world: Path) -> None:
    contract_file(world / ".exitkit", "mytool", '[match]\ncommand = "mytool"\nargs = ["sync"]')
    assert contract_for(["mytool", "sync"]).name == "mytool"  # type: ignore[union-attr]
    assert contract_for(["mytool", "push"]) is None


def test_a_broken_file_that_could_only_have_matched_is_left_to_lint(world: Path) -> None:
    (world / ".exitkit").mkdir()
    (world / ".exitkit" / "other.toml").write_text("this is not toml")
    assert contract_for(["terraform", "plan", "-detailed-exitcode"]).name == "terraform-plan"  # type: ignore[union-attr]


def test_run_picks_terraform_plan_without_c_and_not_for_apply(tools: Tools) -> None:
    tools.exits("terraform", 2)
    plan = run_exitkit("run", "--ok", "changes-present", "--", "terraform", "plan",
                       "-detailed-exitcode", "-out=p")
    assert (plan.returncode, plan.stderr) == (  # the line names the contract that read it
        0, "exitkit: terraform-plan exited 2 (changes-present); tolerated by --ok\n")
    apply = run_exitkit("run", "--ok", "changes-present", "--", "terraform", "apply")
    assert apply.returncode == 125
    assert "changes-present" in apply.stderr
    plain = run_exitkit("run", "--", "terraform", "apply")
    assert (plain.returncode, plain.stderr) == (
        2, "exitkit: terraform exited 2 (usage): Misuse of a shell builtin / usage error\n")


@pytest.mark.parametrize(("match", "problem"), [
    ('[match]\nargs = ["plan"]', "match.command: is required"),
    ('[match]\ncommand = "/usr/bin/terraform"', "match.command: must be a command's basename"),
    ('[match]\ncommand = "terraform"\nargs = ["-x"]', "match.args[0]: must be a subcommand word"),
    ('[match]\ncommand = "terraform"\nargs = "plan"', "match.args: must be a list of words"),
    ('[match]\ncommand = "terraform"\nflags = ["detailed"]', "match.flags[0]: must be an option"),
    ('[match]\ncommand = "terraform"\nflags = ["-x=1"]', "match.flags[0]: must be an option"),
    ('[match]\ncommand = "terraform"\nflags = ["-x", "-x"]', "match.flags: lists a word twice"),
    ('[match]\ncommand = "terraform"\nargs = ["two words"]', "match.args[0]: must be one word"),
    ('[match]\ncommand = "terraform"\nsubcommand = "plan"', "match.subcommand: unknown key"),
    ('match = "terraform"', "match: must be a table"),
])
def test_lint_checks_the_match_table(tmp_path: Path, match: str, problem: str) -> None:
    path = contract_file(tmp_path, "tf", match)
    result = run_exitkit("lint", str(path))
    assert result.returncode == 1
    assert f"{path}: {problem}" in result.stdout, result.stdout


def test_a_run_reads_only_the_project_files_that_may_hold_a_match(
        world: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding [match] blocks must not parse every project contract on every run: files without
    one are screened by their bytes; spellings TOML allows are still found."""
    import exitkit.contracts.loader as loader

    contract_file(world / ".exitkit", "plain", "")
    contract_file(world / ".exitkit", "spaced", '[ match ]\ncommand = "kubectl"')
    contract_file(world / ".exitkit", "inline", 'match = { command = "helm" }')
    parsed: list[str] = []
    real = loader.load_file
    monkeypatch.setattr(loader, "load_file", lambda path: parsed.append(Path(path).name)
                        or real(path))
    assert contract_for(["kubectl", "get"]).name == "spaced"  # type: ignore[union-attr]
    assert contract_for(["helm", "list"]).name == "inline"  # type: ignore[union-attr]
    assert "plain.toml" not in parsed


@pytest.mark.parametrize(("flag", "word", "given"), [
    ("-detailed-exitcode", "-detailed-exitcode", True),
    ("-detailed-exitcode", "--detailed-exitcode", True),
    ("-detailed-exitcode", "--detailed-exitcode=true", True),
    ("-ab", "--ab", True),          # three characters: a long flag with one dash
    ("-a", "--a", False),           # a short flag is not a long one with two dashes
    ("--check", "--check=x", True),
    ("--check", "---check", False),  # two dashes already: no third
    ("--check", "-check", False),
    ("xyz", "-xyz", False),         # no dash at all: nothing to double
    ("-detailed-exitcode", "-detailed", False),
])
def test_a_match_flag_given_with_one_dash_or_two(flag: str, word: str, given: bool) -> None:
    from exitkit.contracts.model import Match

    assert Match("tool", flags=[flag]).matches("tool", [word]) is given

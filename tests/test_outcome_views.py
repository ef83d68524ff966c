"""Outcome rows (told apart by stderr) in every view of a contract: show in each format,
explain, diff, the shell helpers in real shells, and the generated Python module."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import run_exitkit
from exitkit.contracts.loader import parse_contract
from exitkit.contracts.render import render_python
from shells_util import program
from test_capture import TALKER, tomllib


@pytest.fixture
def contract_file(world: Path) -> Path:
    (world / ".exitkit").mkdir()
    path = world / ".exitkit" / "talker.toml"
    path.write_text(TALKER)
    return path


def test_show_lists_outcomes_in_every_format_and_toml_round_trips(contract_file: Path) -> None:
    table = run_exitkit("show", "talker").stdout
    assert (
        "OUTCOME    OF  KIND          RETRY  MEANING\n"
        "gone       1   not-found            The thing is not there\n"
        "forbidden  1   auth                 Not allowed\n"
        "busy       1   rate-limited  yes    Try again later\n"
        "\n"
        "OUTCOME    WHEN A LINE OF STDERR MATCHES (exitkit run --ok/--retry-on NAME)\n"
        "gone       '^Error: .* not found$'\n"
        "forbidden  '^Error: .* forbidden$'\n"
        "busy       '^Error: busy'\n"
        "(errors)   '^Error: '\n") in table
    markdown = run_exitkit("show", "talker", "--format", "markdown").stdout
    assert "| `gone` | 1 | not-found | `^Error: .* not found$` | The thing is not there |" \
        in markdown
    assert "| `busy` | 1 | rate-limited (retryable) |" in markdown
    data = json.loads(run_exitkit("show", "talker", "--format", "json").stdout)
    assert data["outcome"][2] == {"name": "busy", "kind": "rate-limited", "codes": [1],
                                  "pattern": "^Error: busy", "meaning": "Try again later",
                                  "retryable": True}
    assert data["stderr"] == {"errors": ["^Error: "]}
    toml = run_exitkit("show", "talker", "--format", "toml").stdout
    again = contract_file.parent / "again.toml"
    again.write_text(toml.replace('name = "talker"', 'name = "again"', 1))
    assert json.loads(run_exitkit("show", str(again), "--format", "json").stdout)["outcome"] == \
        data["outcome"]


def test_explain_tells_what_an_outcome_is_and_which_outcomes_refine_a_code(
        contract_file: Path) -> None:
    gone = run_exitkit("explain", "-c", "talker", "gone")
    assert gone.returncode == 0
    assert gone.stdout.splitlines() == [
        "talker gone (not-found): The thing is not there",
        "  refines exit 1 (error) when a line of stderr matches: ^Error: .* not found$",
        "  retryable: no",
        "  a script's $? cannot see it: exitkit run --ok gone -- talker … reads stderr for it",
    ]
    one = run_exitkit("explain", "-c", "talker", "1")
    assert "  told apart by stderr: gone, forbidden, busy (exitkit explain -c talker NAME)" \
        in one.stdout
    data = json.loads(run_exitkit("explain", "-c", "talker", "1", "--json").stdout)
    assert data["refined_by"] == ["gone", "forbidden", "busy"] and data["outcome"] is None
    assert json.loads(run_exitkit("explain", "-c", "talker", "busy", "--json").stdout)[
        "outcome"]["name"] == "busy"


def test_diff_treats_what_decides_an_outcome_as_major(tmp_path: Path) -> None:
    old = tmp_path / "old.toml"
    old.write_text(TALKER)
    cases = [
        (TALKER.replace("'^Error: busy'", "'^Error: (busy|overloaded)'"), "major",
         "outcome busy: pattern changed"),
        (TALKER.replace("codes = [1]\npattern = '^Error: busy'",
                        "codes = [1, 2]\npattern = '^Error: busy'"), "major",
         "outcome busy: refines exits [1] → [1, 2]"),
        (TALKER.replace("errors = ['^Error: ']", "errors = ['^Error']"), "major",
         "[stderr] errors changed"),
        (TALKER.replace("[stderr]\n", '[stderr]\nlocale = "C"\n'), "major",
         "[stderr] locale changed None → C"),
        (TALKER.replace('meaning = "Try again later"', 'meaning = "Come back later"'), "patch",
         "outcome busy: meaning reworded"),
        (TALKER + '\n[[outcome]]\nname = "taken"\nkind = "conflict"\ncodes = [1]\n'
         "pattern = '^Error: .* exists$'\nmeaning = \"Already there\"\n", "minor",
         "outcome taken: added (conflict, of exit 1)"),
        (TALKER[: TALKER.index('[[outcome]]\nname = "busy"')], "major", "outcome busy: removed"),
    ]
    for text, level, message in cases:
        new = tmp_path / "new.toml"
        new.write_text(text)
        out = run_exitkit("diff", str(old), str(new)).stdout
        assert f"{level:<5}  " in out and message in out, (message, out)


SHELLS = {
    "bash": ["bash", "--noprofile", "--norc", "-c"],
    "zsh": ["zsh", "-f", "-c"],
    "dash": ["dash", "-c"],
    "ash": ["ash", "-c"],
    "ksh": ["ksh", "-c"],
    "mksh": ["mksh", "-c"],
    "yash": ["yash", "-c"],
    "posh": ["posh", "-c"],
}


@pytest.mark.parametrize("shell", [*SHELLS, "fish"])
def test_shell_helpers_say_an_outcome_needs_exitkit_run(contract_file: Path, shell: str) -> None:
    dialect = {"bash": "bash", "zsh": "zsh", "fish": "fish"}.get(shell, "sh")
    code = run_exitkit("shell", dialect, "talker").stdout
    path = contract_file.parent / f"talker.{dialect}"
    path.write_text(code)
    # 1 is the status the outcomes refine: only there can stderr tell; any other status, and
    # what is no status at all, says no by itself
    calls = [("gone", "1"), ("error", "1"), ("not-found", "1"), ("gone", "2"), ("gone", "0"),
             ("not-found", "256"), ("gone", "01"), ("gone", "-1"), ("gone", "")]
    if shell == "fish":
        argv = [*program("fish"), "--no-config", "-c"]
        script = f"source {path}; " + "; ".join(
            f"talker_exit_is {word} '{code}'; echo $status" for word, code in calls)
    else:
        argv = [*program(shell), *SHELLS[shell][1:]]
        script = f". {path}; " + "; ".join(
            f"talker_exit_is {word} '{code}'; echo $?" for word, code in calls)
    done = subprocess.run([*argv, script], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["2", "0", "2", "1", "1", "1", "1", "1", "1"], done.stderr
    assert len(done.stderr.splitlines()) == 2  # one line for each 2
    status = "$status" if shell == "fish" else "$?"
    assert done.stderr.splitlines()[0] == (
        f"talker_exit_is: gone is told apart by stderr, which {status} does not carry: use "
        "exitkit run --ok gone")


def test_an_outcome_named_like_an_exits_kind_stays_that_kind_in_the_shell(world: Path) -> None:
    text = TALKER.replace('name = "gone"', 'name = "usage"', 1).replace(
        "[[exit]]\ncode = 2\nname = \"usage\"", "[[exit]]\ncode = 2\nname = \"bad-usage\"")
    (world / ".exitkit").mkdir()
    (world / ".exitkit" / "talker.toml").write_text(text)
    code = run_exitkit("shell", "bash", "talker").stdout
    done = subprocess.run([*program("bash"), "--norc", "-c",
                           f"{code}\ntalker_exit_is usage 2; echo $?"],
                          capture_output=True, text=True)
    assert done.stdout == "0\n" and done.stderr == ""


@pytest.mark.parametrize("shell", ["bash", "sh", "fish"])
def test_an_outcome_kind_that_is_an_exits_name_stays_that_exit(world: Path, shell: str) -> None:
    """Exit 6 is named `conflict`; an outcome of exit 1 has the kind `conflict`: the status
    answers, as `exitkit run --ok conflict` accepts 6."""
    text = TALKER + """
[[exit]]
code = 6
name = "conflict"
kind = "precondition"
meaning = "Conflict"

[[outcome]]
name = "already-exists"
kind = "conflict"
codes = [1]
pattern = '^Error: .* exists$'
meaning = "There already"
"""
    (world / ".exitkit").mkdir()
    (world / ".exitkit" / "talker.toml").write_text(text)
    code = run_exitkit("shell", shell, "talker").stdout
    status = "$status" if shell == "fish" else "$?"
    script = (f"talker_exit_is conflict 6; echo {status}; talker_exit_is conflict 1; "
              f"echo {status}; talker_exit_is already-exists 1; echo {status}")
    argv = {"bash": [*program("bash"), "--norc", "-c"], "sh": [*program("dash"), "-c"],
            "fish": [*program("fish"), "--no-config", "-c"]}[shell]
    done = subprocess.run([*argv, f"{code}\n{script}"], capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.split() == ["0", "1", "2"], done.stderr


def test_the_python_module_maps_outcomes_to_their_exits() -> None:
    contract, problems = parse_contract(tomllib.loads(TALKER), "talker.toml")
    assert contract is not None, problems
    namespace: dict[str, object] = {"__name__": "generated"}
    exec(compile(render_python(contract), "generated.py", "exec"), namespace)
    cls = namespace["TalkerExit"]
    outcomes = namespace["OUTCOMES"]
    assert outcomes == {  # type: ignore[comparison-overlap]
        "gone": ((cls.ERROR,), "^Error: .* not found$"),  # type: ignore[attr-defined]
        "forbidden": ((cls.ERROR,), "^Error: .* forbidden$"),  # type: ignore[attr-defined]
        "busy": ((cls.ERROR,), "^Error: busy"),  # type: ignore[attr-defined]
    }


def test_completion_offers_outcome_names_and_kinds(contract_file: Path) -> None:
    from exitkit.cli.complete import candidates

    line = ["run", "--ok", "error,", "--", "talker", "delete"]
    offered = dict(candidates(line, 2))
    assert offered["error,gone"] == "stderr: The thing is not there"
    assert offered["error,rate-limited"] == "kind"
    assert "error,busy" in offered and "error,1" not in offered
    explained = dict(candidates(["explain", "-c", "talker", "g"], 3))
    assert explained["gone"] == "stderr: The thing is not there"
